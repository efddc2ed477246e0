#include "core/broker/connect_diagnosis.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace iotctl::broker {

namespace {

// A connected TCP socket, closed on destruction.
struct Socket {
    int fd = -1;
    ~Socket() {
        if (fd >= 0) ::close(fd);
    }
};

struct SslCtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
    void operator()(SSL* s) const { SSL_free(s); }
};

timeval to_timeval(double seconds) {
    return timeval{static_cast<time_t>(seconds),
                   static_cast<suseconds_t>((seconds - static_cast<time_t>(seconds)) * 1e6)};
}

void set_receive_timeout(int fd, double seconds) {
    timeval tv = to_timeval(seconds);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

// Resolves and connects; on failure `error` says why (name resolution or the TCP error).
bool tcp_connect(const ConnOptions& opts, double timeout_s, Socket& sock, std::string& error,
                 bool& name_failed) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    std::string port = std::to_string(effective_port(opts));
    int rc = getaddrinfo(opts.host.c_str(), port.c_str(), &hints, &found);
    if (rc != 0) {
        name_failed = true;
        error = fmt::format("the host name '{}' could not be resolved ({})", opts.host,
                            rc == EAI_SYSTEM ? std::strerror(errno) : gai_strerror(rc));
        return false;
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, &freeaddrinfo);
    int last_errno = 0;
    for (addrinfo* a = found; a; a = a->ai_next) {
        int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        set_receive_timeout(fd, timeout_s);
        timeval tv = to_timeval(timeout_s);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            sock.fd = fd;
            return true;
        }
        last_errno = errno;
        ::close(fd);
    }
    error = last_errno == ECONNREFUSED ? "connection refused: nothing listens on that port"
            : last_errno == EINPROGRESS || last_errno == EAGAIN ? "timed out"
                                                                : std::strerror(last_errno);
    return false;
}

// Sends an MQTT 3.1.1 CONNECT (empty client id, clean session) and reads the first byte back:
// true when the answer is a CONNACK, whatever its return code.
template <typename Write, typename Read>
bool answers_mqtt311(Write write, Read read) {
    static const unsigned char k_connect[] = {0x10, 12, 0, 4, 'M', 'Q', 'T',
                                              'T',  4,  2, 0, 10,  0,   0};
    static const unsigned char k_disconnect[] = {0xE0, 0};
    if (write(k_connect, sizeof k_connect) != static_cast<int>(sizeof k_connect)) return false;
    unsigned char first = 0;
    bool connack = read(&first, 1) == 1 && first == 0x20;
    if (connack) write(k_disconnect, sizeof k_disconnect);
    return connack;
}

bool plain_answers_mqtt311(const ConnOptions& opts, double timeout_s) {
    Socket sock;
    std::string error;
    bool name_failed = false;
    if (!tcp_connect(opts, timeout_s, sock, error, name_failed)) return false;
    return answers_mqtt311(
        [&](const void* p, size_t n) {
            return static_cast<int>(::send(sock.fd, p, n, MSG_NOSIGNAL));
        },
        [&](void* p, size_t n) { return static_cast<int>(::recv(sock.fd, p, n, 0)); });
}

bool is_ip_address(const std::string& host) {
    unsigned char buf[sizeof(in6_addr)];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// The last OpenSSL error's reason (e.g. "tlsv13 alert certificate required"), or "".
std::string openssl_reason(unsigned long& code) {
    code = ERR_peek_last_error();
    const char* text = code ? ERR_reason_error_string(code) : nullptr;
    return text ? text : "";
}

std::string verify_hint(long result, const std::string& host) {
    switch (result) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return "the broker's certificate has expired";
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "the broker's certificate is not valid yet (check the clock)";
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return fmt::format("the broker's certificate is not for '{}' (name mismatch)", host);
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            return fmt::format(
                "unknown CA: the broker's certificate is not signed by a trusted CA ({}); give "
                "the CA that signed it with --cafile or --capath",
                X509_verify_cert_error_string(result));
        default:
            return fmt::format("the broker's certificate was not accepted: {}",
                               X509_verify_cert_error_string(result));
    }
}

bool is_certificate_required(unsigned long code) {
    int reason = ERR_GET_REASON(code);
    return reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
           reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
           reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE;
}

// Whether the broker sends TLS 1.3's "certificate required" alert within half a second of the
// handshake (it does not wait for data from the client).
bool certificate_required_alert(SSL* ssl, int fd, double timeout_s) {
    set_receive_timeout(fd, 0.5);
    char byte = 0;
    ERR_clear_error();
    bool alert = SSL_peek(ssl, &byte, 1) <= 0 && is_certificate_required(ERR_peek_last_error());
    ERR_clear_error();
    set_receive_timeout(fd, timeout_s);
    return alert;
}

// A TLS handshake as Paho makes it (same CAs, client certificate, host check), then an MQTT
// 3.1.1 CONNECT; the reason the broker or OpenSSL gives, or nothing when all of it works.
std::optional<Diagnosis> probe_tls(const ConnOptions& opts, double timeout_s, Socket& sock) {
    std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) return std::nullopt;
    if (!opts.cafile.empty() || !opts.capath.empty()) {
        SSL_CTX_load_verify_locations(ctx.get(),
                                      opts.cafile.empty() ? nullptr : opts.cafile.c_str(),
                                      opts.capath.empty() ? nullptr : opts.capath.c_str());
    } else {
        SSL_CTX_set_default_verify_paths(ctx.get());
    }
    if (!opts.cert.empty() &&
        (SSL_CTX_use_certificate_chain_file(ctx.get(), opts.cert.c_str()) != 1 ||
         SSL_CTX_use_PrivateKey_file(ctx.get(), opts.key.c_str(), SSL_FILETYPE_PEM) != 1))
        return Diagnosis{"the client certificate or key (--cert, --key) cannot be used"};
    std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
    SSL_set_fd(ssl.get(), sock.fd);
    if (!is_ip_address(opts.host)) SSL_set_tlsext_host_name(ssl.get(), opts.host.c_str());
    if (!opts.insecure) {
        SSL_set_verify(ssl.get(), SSL_VERIFY_PEER, nullptr);
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
        if (is_ip_address(opts.host))
            X509_VERIFY_PARAM_set1_ip_asc(param, opts.host.c_str());
        else
            X509_VERIFY_PARAM_set1_host(param, opts.host.c_str(), 0);
    }
    ERR_clear_error();
    unsigned long code = 0;
    if (SSL_connect(ssl.get()) != 1) {
        long verify = SSL_get_verify_result(ssl.get());
        if (!opts.insecure && verify != X509_V_OK) return Diagnosis{verify_hint(verify, opts.host)};
        std::string reason = openssl_reason(code);
        int lib_reason = ERR_GET_REASON(code);
        if (lib_reason == SSL_R_WRONG_VERSION_NUMBER ||
            lib_reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
            lib_reason == SSL_R_UNEXPECTED_EOF_WHILE_READING || code == 0) {
            if (plain_answers_mqtt311(opts, timeout_s))
                return Diagnosis{fmt::format(
                    "the port speaks plain MQTT, not TLS{}; use --no-tls or mqtt://",
                    opts.tls_from_port ? " (TLS was on because the port is 8883)" : "")};
        }
        if (is_certificate_required(code))
            return Diagnosis{"the broker requires a client certificate: give --cert and --key"};
        if (!reason.empty()) return Diagnosis{"TLS handshake failed: " + reason};
        return std::nullopt;
    }
    // TLS 1.3 sends the "certificate required" alert right after the handshake, and may close
    // before a write of ours gets through: wait for it briefly first, then try MQTT.
    if (opts.cert.empty() && certificate_required_alert(ssl.get(), sock.fd, timeout_s))
        return Diagnosis{"the broker requires a client certificate: give --cert and --key"};
    bool connack = answers_mqtt311(
        [&](const void* p, size_t n) { return SSL_write(ssl.get(), p, static_cast<int>(n)); },
        [&](void* p, size_t n) { return SSL_read(ssl.get(), p, static_cast<int>(n)); });
    if (!connack) {
        if (is_certificate_required(ERR_peek_last_error()))
            return Diagnosis{"the broker requires a client certificate: give --cert and --key"};
        std::string reason = openssl_reason(code);
        if (!reason.empty()) return Diagnosis{"TLS failed after the handshake: " + reason};
        return std::nullopt;
    }
    if (is_mqtt5(opts))
        return Diagnosis{
            "the broker does not accept MQTT 5 but answers MQTT 3.1.1: use -V mqttv311", true};
    return std::nullopt;
}

// Whether a TLS server answers on the socket (a handshake without verification succeeds).
bool speaks_tls(Socket& sock) {
    std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) return false;
    std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
    SSL_set_fd(ssl.get(), sock.fd);
    SSL_set_verify(ssl.get(), SSL_VERIFY_NONE, nullptr);
    bool ok = SSL_connect(ssl.get()) == 1;
    ERR_clear_error();
    return ok;
}

}  // namespace

std::optional<Diagnosis> diagnose_connect_failure(const ConnOptions& opts) {
    double timeout_s =
        opts.connect_timeout > 0 && opts.connect_timeout < 5 ? opts.connect_timeout : 5.0;
    Socket sock;
    std::string error;
    bool name_failed = false;
    if (!tcp_connect(opts, timeout_s, sock, error, name_failed)) return Diagnosis{error};
    if (opts.tls) return probe_tls(opts, timeout_s, sock);
    if (speaks_tls(sock))
        return Diagnosis{
            "the port speaks TLS, the client plain MQTT; use --tls-use-os-certs, --cafile FILE "
            "or mqtts://"};
    if (is_mqtt5(opts) && plain_answers_mqtt311(opts, timeout_s))
        return Diagnosis{
            "the broker does not accept MQTT 5 but answers MQTT 3.1.1: use -V mqttv311", true};
    return std::nullopt;
}

}  // namespace iotctl::broker
