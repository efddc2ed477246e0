#include "core/ingest/spool_record.h"

#include <cstring>

#include <fmt/format.h>
#include <zlib.h>

namespace iotctl::ingest {

namespace {
constexpr size_t k_header = 8;                  // u32 body length, u32 crc32 of the body
constexpr size_t k_fixed_body = 8 + 1 + 1 + 4;  // ts_ns, qos, retain, topic length
constexpr uint32_t k_max_body = 512u << 20;     // larger than any MQTT message
// The byte after qos holds flags. Records written before packet ids were kept hold 0 or 1 there
// (retain only), so they read as before.
constexpr uint8_t k_flag_retain = 1;
constexpr uint8_t k_flag_mid = 2;  // a u16 packet id follows the topic length
constexpr uint8_t k_flag_dup = 4;  // the broker marked the message as a possible redelivery
constexpr uint8_t k_known_flags = k_flag_retain | k_flag_mid | k_flag_dup;

template <typename T>
void put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <typename T>
T get(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

uint32_t crc_of(const char* p, uint32_t size) {
    return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(p), size));
}
}  // namespace

void encode_spool_head(const base::Message& m, std::string& out) {
    const bool with_mid = m.mid != 0;
    out.clear();
    out.resize(k_header);
    put<int64_t>(out, m.ts_ns);
    put<uint8_t>(out, static_cast<uint8_t>(m.qos));
    put<uint8_t>(out, static_cast<uint8_t>((m.retain ? k_flag_retain : 0) |
                                           (with_mid ? k_flag_mid : 0) | (m.dup ? k_flag_dup : 0)));
    put<uint32_t>(out, static_cast<uint32_t>(m.topic.size()));
    if (with_mid) put<uint16_t>(out, static_cast<uint16_t>(m.mid));
    out += m.topic;
    uint32_t body = static_cast<uint32_t>(out.size() - k_header + m.payload.size());
    uLong crc = crc32(0, reinterpret_cast<const Bytef*>(out.data() + k_header),
                      static_cast<uInt>(out.size() - k_header));
    crc = crc32_z(crc, reinterpret_cast<const Bytef*>(m.payload.data()), m.payload.size());
    uint32_t crc_value = static_cast<uint32_t>(crc);
    std::memcpy(out.data(), &body, 4);
    std::memcpy(out.data() + 4, &crc_value, 4);
}

void encode_spool_record(const base::Message& m, std::string& out) {
    encode_spool_head(m, out);
    out += m.payload;
}

int64_t decode_spool_record(const char* data, size_t size, base::Message& out) {
    if (size < k_header) return 0;
    uint32_t body = get<uint32_t>(data);
    uint32_t crc = get<uint32_t>(data + 4);
    if (body < k_fixed_body || body > k_max_body) return -1;
    if (size < k_header + body) return 0;
    const char* b = data + k_header;
    if (crc_of(b, body) != crc) return -1;
    const auto flags = static_cast<uint8_t>(b[9]);
    if (flags & ~k_known_flags) return -1;
    const uint32_t fixed = k_fixed_body + ((flags & k_flag_mid) ? 2 : 0);
    uint32_t topic_len = get<uint32_t>(b + 10);
    if (fixed > body || topic_len > body - fixed) return -1;
    out.ts_ns = get<int64_t>(b);
    out.qos = static_cast<uint8_t>(b[8]);
    out.retain = (flags & k_flag_retain) != 0;
    out.dup = (flags & k_flag_dup) != 0;
    out.mid = (flags & k_flag_mid) ? get<uint16_t>(b + k_fixed_body) : 0;
    out.topic.assign(b + fixed, topic_len);
    out.payload.assign(b + fixed + topic_len, body - fixed - topic_len);
    return static_cast<int64_t>(k_header + body);
}

std::string describe_bad_record(const char* data, size_t size) {
    if (size < k_header) return fmt::format("torn header ({} of {} bytes)", size, k_header);
    uint32_t body = get<uint32_t>(data);
    if (body < k_fixed_body || body > k_max_body) return fmt::format("bad length {}", body);
    if (size < k_header + body)
        return fmt::format("torn record ({} of {} bytes)", size, k_header + body);
    if (crc_of(data + k_header, body) != get<uint32_t>(data + 4))
        return fmt::format("bad CRC (record of {} bytes)", k_header + body);
    if (static_cast<uint8_t>(data[k_header + 9]) & ~k_known_flags) return "unknown flags";
    return "bad topic length";
}

SegmentScan scan_spool_records(const char* data, size_t size,
                               const std::function<void(const base::Message&)>& visit) {
    SegmentScan scan;
    base::Message scratch;
    uint64_t pos = 0;
    while (pos < size) {
        int64_t used = decode_spool_record(data + pos, size - pos, scratch);
        if (used <= 0) {
            ++pos;  // not a record here: look for the next one byte by byte
            continue;
        }
        if (pos != scan.whole_end)
            scan.drops.push_back(
                {scan.whole_end, pos - scan.whole_end,
                 describe_bad_record(data + scan.whole_end, size - scan.whole_end)});
        if (visit) visit(scratch);
        pos += static_cast<uint64_t>(used);
        scan.whole_end = pos;
        ++scan.records;
    }
    if (scan.whole_end < size)
        scan.drops.push_back({scan.whole_end, size - scan.whole_end,
                              describe_bad_record(data + scan.whole_end, size - scan.whole_end)});
    return scan;
}

}  // namespace iotctl::ingest
