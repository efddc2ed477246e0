// The spool's record framing `[u32 body length][u32 crc32 of the body][body]`, and the validity
// scan that finds what in a segment file is not a whole record (a torn write, a bad CRC).
// Body: i64 ts_ns, u8 qos, u8 flags (1 retain, 2 packet id follows, 4 dup), u32 topic length,
// [u16 packet id], topic, payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/base/message.h"

namespace iotctl::ingest {

/// Encodes one message as a spool record (framing included) into `out`.
void encode_spool_record(const base::Message& message, std::string& out);

/// The record of encode_spool_record without the payload bytes that end it (the spool writes
/// those from the message itself, so a huge payload is not copied); the CRC covers them.
void encode_spool_head(const base::Message& message, std::string& out);

/// Decodes the record at the start of `data`: its size, or 0 when incomplete, -1 when corrupt.
int64_t decode_spool_record(const char* data, size_t size, base::Message& out);

/// Why the bytes at the start of `data` are not a whole record ("bad CRC", "torn record...").
std::string describe_bad_record(const char* data, size_t size);

/// A stretch of a segment file that is not whole records.
struct SpoolDrop {
    uint64_t offset = 0;  // where it starts in the file
    uint64_t bytes = 0;   // how long it is
    std::string reason;   // what the first bad record looked like (describe_bad_record)
};

/// What the validity scan found in the bytes of one segment file.
struct SegmentScan {
    uint64_t records = 0;          // whole records
    uint64_t whole_end = 0;        // offset just past the last whole record
    std::vector<SpoolDrop> drops;  // bad stretches in file order; the last may be a torn tail
};

/// Scans a segment: whole records are kept; after a bad stretch the scan moves on byte by byte
/// to the next whole record (as SpoolReader does), so records after damage are not lost.
/// `visit`, when given, is called with each whole record in file order.
SegmentScan scan_spool_records(const char* data, size_t size,
                               const std::function<void(const base::Message&)>& visit = {});

}  // namespace iotctl::ingest
