// Persistent sessions left behind: the derived client id depends on the filters, so changing
// them starts a new session while the old one stays on the broker (queueing messages nobody
// reads) with its state directory. Found at start from the state dirs' status files, and
// removed by `iotctl ingest forget`.
#pragma once

#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/broker/conn_options.h"
#include "core/ingest/status_report.h"

namespace iotctl::ingest {

/// Stopped ingests under `root` for the same `broker` (host:port) whose filters differ from
/// `filters` and whose id is not `client_id`: likely this ingest before its filters changed.
std::vector<IngestState> stale_sessions(const std::string& root, const std::string& client_id,
                                        const std::string& broker,
                                        const std::vector<std::string>& filters, int64_t now_ns);

/// One log line about a stale session: where it is, its filters, what it holds, how to forget it.
std::string stale_session_warning(const IngestState& stale);

/// `ingest forget`: connects as `client_id` with a clean session (which ends the broker's
/// session), then removes `root/client_id`. Refuses while that ingest runs, and, unless
/// `force`, while its spool holds messages some sink has not written.
base::Status forget_session(broker::ConnOptions conn, const std::string& root,
                            const std::string& client_id, bool force);

}  // namespace iotctl::ingest
