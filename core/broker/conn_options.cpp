#include "core/broker/conn_options.h"

#include <unistd.h>
#include <fstream>
#include <random>

#include <MQTTAsync.h>
#include <fmt/format.h>

#include "core/base/topic.h"

namespace iotctl::broker {

base::Result<BrokerUrl> parse_broker_url(const std::string& url) {
    BrokerUrl out;
    std::string rest;
    if (url.starts_with("mqtt://")) {
        rest = url.substr(7);
    } else if (url.starts_with("mqtts://")) {
        out.tls = true;
        rest = url.substr(8);
    } else {
        return base::usage_error("invalid URL '" + url + "': expected mqtt:// or mqtts://");
    }
    auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    if (slash != std::string::npos) out.topic = rest.substr(slash + 1);
    auto at = authority.rfind('@');
    if (at != std::string::npos) {
        std::string creds = authority.substr(0, at);
        authority = authority.substr(at + 1);
        auto colon = creds.find(':');
        out.username = creds.substr(0, colon);
        if (colon != std::string::npos) out.password = creds.substr(colon + 1);
    }
    std::string port_text;
    if (!authority.empty() && authority[0] == '[') {  // [::1]:1883
        auto close = authority.find(']');
        if (close == std::string::npos)
            return base::usage_error("invalid URL: unclosed '[' in host");
        out.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':')
            port_text = authority.substr(close + 2);
    } else {
        auto colon = authority.rfind(':');
        out.host = authority.substr(0, colon);
        if (colon != std::string::npos) port_text = authority.substr(colon + 1);
    }
    if (out.host.empty()) return base::usage_error("invalid URL: no host");
    if (!port_text.empty()) {
        try {
            size_t used = 0;
            int port = std::stoi(port_text, &used);
            if (used != port_text.size() || port < 1 || port > 65535) throw std::out_of_range("");
            out.port = port;
        } catch (const std::exception&) {
            return base::usage_error("invalid URL: bad port '" + port_text + "'");
        }
    }
    return out;
}

namespace {
// mosquitto's -I: the prefix and the process id.
std::string id_from_prefix(const std::string& prefix) {
    return prefix + std::to_string(::getpid());
}

// TLS is on when asked for (URL scheme, a TLS option, --tls) or, unless --no-tls, when the port
// is 8883, MQTT over TLS's port; the CAs are then the TLS library's default (OS) trust store.
base::Status resolve_tls(ConnOptions& opts) {
    const char* asked_by = !opts.cafile.empty()   ? "--cafile"
                           : !opts.capath.empty() ? "--capath"
                           : !opts.cert.empty()   ? "--cert"
                           : opts.insecure        ? "--insecure"
                           : opts.tls             ? "an mqtts:// URL"
                                                  : nullptr;
    if (opts.no_tls) {
        if (asked_by) return base::usage_error(fmt::format("--no-tls contradicts {}", asked_by));
        if (opts.tls_requested)
            return base::usage_error("--no-tls contradicts --tls (or --tls-use-os-certs)");
        opts.tls = false;
        return {};
    }
    opts.tls = asked_by != nullptr || opts.tls_requested;
    if (!opts.tls && opts.port == k_mqtt_tls_port) {
        opts.tls = true;
        opts.tls_from_port = true;
    }
    return {};
}
}  // namespace

base::Result<std::string> resolve_conn_options(ConnOptions& opts) {
    std::string url_topic;
    if (!opts.url.empty()) {
        auto parsed = parse_broker_url(opts.url);
        if (!parsed) return parsed.error();
        opts.host = parsed->host;
        if (parsed->port) opts.port = *parsed->port;
        if (parsed->tls) opts.tls = true;
        if (!parsed->username.empty()) opts.username = parsed->username;
        if (!parsed->password.empty()) opts.password = parsed->password;
        url_topic = parsed->topic;
    }
    if (!opts.password_file.empty()) {
        std::ifstream in(opts.password_file);
        if (!in) return base::usage_error("cannot read password file '" + opts.password_file + "'");
        std::string line;
        std::getline(in, line);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        opts.password = line;
    }
    if (!opts.id_prefix.empty()) {
        if (!opts.client_id.empty() && opts.client_id != id_from_prefix(opts.id_prefix))
            return base::usage_error("-i/--id and -I/--id-prefix cannot be used together");
        opts.client_id = id_from_prefix(opts.id_prefix);
    }
    if (opts.max_inflight < 0 || opts.max_inflight > 65535)
        return base::usage_error(
            fmt::format("invalid -M/--max-inflight {}: expected 1-65535", opts.max_inflight));
    if (opts.port < 0 || opts.port > 65535)
        return base::usage_error(fmt::format("invalid port {}: expected 1-65535", opts.port));
    if (auto s = resolve_tls(opts); !s) return s.error();
    if (opts.keepalive < 0 || opts.keepalive > 65535)
        return base::usage_error(
            fmt::format("invalid keepalive {}: expected 0-65535", opts.keepalive));
    if (mqtt_version(opts) == 0)
        return base::usage_error("invalid protocol version '" + opts.protocol_version +
                                 "': expected mqttv31, mqttv311 or mqttv5");
    if (opts.will_qos < 0 || opts.will_qos > 2)
        return base::usage_error(
            fmt::format("invalid will QoS {}: expected 0, 1 or 2", opts.will_qos));
    if (!opts.will_topic.empty()) {
        if (auto s = base::validate_topic_name(opts.will_topic); !s) return s.error();
    } else if (!opts.will_payload.empty()) {
        return base::usage_error("--will-payload needs --will-topic");
    }
    if (!opts.cert.empty() != !opts.key.empty())
        return base::usage_error("--cert and --key must be given together");
    for (const auto* path : {&opts.cafile, &opts.cert, &opts.key}) {
        if (!path->empty() && !std::ifstream(*path))
            return base::usage_error("cannot read TLS file '" + *path + "'");
    }
    // Paho C can pin TLS 1.1 or 1.2 only; without --tls-version, TLS 1.3 is negotiated.
    if (opts.tls_version == "tlsv1.3")
        return base::usage_error(
            "--tls-version tlsv1.3 cannot be pinned (the MQTT library pins tlsv1.1 or tlsv1.2): "
            "leave --tls-version out and TLS 1.3 is used when the broker offers it");
    if (!opts.tls_version.empty() && opts.tls_version != "tlsv1.2" && opts.tls_version != "tlsv1.1")
        return base::usage_error("invalid TLS version '" + opts.tls_version +
                                 "': expected tlsv1.1 or tlsv1.2");
    return url_topic;
}

bool is_mqtt5(const ConnOptions& opts) {
    return opts.protocol_version == "mqttv5" || opts.protocol_version == "5";
}

int mqtt_version(const ConnOptions& opts) {
    const std::string& v = opts.protocol_version;
    if (v == "mqttv5" || v == "5") return MQTTVERSION_5;
    if (v == "mqttv311" || v == "311") return MQTTVERSION_3_1_1;
    if (v == "mqttv31" || v == "31") return MQTTVERSION_3_1;
    return 0;
}

int effective_port(const ConnOptions& opts) {
    if (opts.port > 0) return opts.port;
    return opts.tls ? 8883 : 1883;
}

std::string server_uri(const ConnOptions& opts) {
    std::string host = opts.host;
    if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
    return fmt::format("{}://{}:{}", opts.tls ? "ssl" : "tcp", host, effective_port(opts));
}

std::string random_client_id(const std::string& command) {
    std::random_device rd;
    return fmt::format("iotctl-{}-{:08x}", command, rd());
}

}  // namespace iotctl::broker
