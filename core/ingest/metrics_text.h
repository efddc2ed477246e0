// The Prometheus text exposition format (version 0.0.4) of a MetricsSnapshot: what
// `ingest --metrics-listen` serves on /metrics and `--metrics-file` writes.
#pragma once

#include <string>
#include <string_view>

#include "core/ingest/metrics_snapshot.h"

namespace iotctl::ingest {

/// The Content-Type of the text.
inline constexpr const char* k_metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// Every `iotctl_ingest_*` family with HELP and TYPE lines, labels `sink` and `filter`.
std::string render_metrics(const MetricsSnapshot& s);

/// A label value escaped for the text format (`\` `"` and newline).
std::string escape_label_value(std::string_view value);

/// A sample value: integers as digits, others in shortest form, `+Inf`/`-Inf`/`NaN`.
std::string format_sample_value(double value);

}  // namespace iotctl::ingest
