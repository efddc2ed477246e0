// The ingest lifecycle: client id and state directory, start order (sink threads before the
// session), the stats loop, and the drain after SIGTERM/SIGINT.
#pragma once

#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/predicate_eval.h"
#include "core/broker/conn_options.h"
#include "core/ingest/dead_letter.h"
#include "core/ingest/log.h"
#include "core/ingest/monitor.h"
#include "core/ingest/pipeline.h"

namespace iotctl::ingest {

/// Everything one ingest run needs once its flags are checked and its sinks are built.
struct RunOptions {
    broker::ConnOptions conn;          // the broker; an empty client id is derived (stable)
    std::vector<std::string> filters;  // topic filters, without any $share/ prefix
    std::string share;                 // shared subscription group, or empty
    int qos = 1;                       // QoS of the subscription
    std::string state_root;            // parent of the per-client state dirs; empty: default
    PipelineOptions pipeline;          // spool, batching, fsync, drain (state_dir is filled in)
    MonitorOptions monitor;            // stats line, metrics, systemd, --max-silence
    std::string sinks_described;       // the sinks, as the start line names them
    base::WhereFilter where;           // --where: others are counted as skipped, not spooled
};

/// Runs until SIGTERM/SIGINT; returns the exit code (0, or 130 after SIGINT).
base::Result<int> run(RunOptions options, std::vector<PipelineSink> sinks, IngestLog& log,
                      DeadLetterFile& dead);

}  // namespace iotctl::ingest
