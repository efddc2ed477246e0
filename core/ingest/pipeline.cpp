#include "core/ingest/pipeline.h"

#include <algorithm>
#include <cerrno>
#include <thread>

#include <fmt/format.h>

#include "core/ingest/checkpoint.h"

namespace iotctl::ingest {

base::Result<std::unique_ptr<IngestPipeline>> IngestPipeline::open(PipelineOptions options,
                                                                   std::vector<PipelineSink> sinks,
                                                                   DeadLetterFile& dead,
                                                                   IngestLog& log) {
    std::unique_ptr<IngestPipeline> p(new IngestPipeline(std::move(options), dead, log));
    const auto& dir = p->options_.state_dir;
    remove_stray_checkpoint_files(dir);
    // The newest records of an earlier run: what the broker may send again when the session
    // resumes (the last segment holds them; older ones were acknowledged long ago).
    auto spool = Spool::open(dir, p->options_.spool, highest_checkpoint(dir),
                             [&](const base::Message& m) { p->redelivery_.remember_earlier(m); });
    if (!spool) return spool.error();
    p->spool_ = std::move(*spool);
    p->log_repairs();
    p->sinks_ = std::move(sinks);
    std::vector<std::string> names;
    for (size_t i = 0; i < p->sinks_.size(); ++i) {
        auto& s = p->sinks_[i];
        // Names key the checkpoint files: a second sink of a kind is "<kind>-2", and so on.
        std::string name = s.sink->name();
        for (int n = 2; std::count(names.begin(), names.end(), name) > 0; ++n)
            name = s.sink->name() + "-" + std::to_string(n);
        names.push_back(name);
        auto file = checkpoint_path(dir, name);
        auto checkpoint = read_checkpoint(file);
        if (!checkpoint) return checkpoint.error();
        // A sink new to this state dir starts with the oldest message still spooled.
        uint64_t start = std::clamp(*checkpoint, p->spool_->begin(), p->spool_->end());
        if (start < p->spool_->end())
            log.info(fmt::format("{}: {} spooled by an earlier run to write first", name,
                                 human_bytes(p->spool_->end() - start)));
        BatcherOptions bo = p->options_.batcher;
        bo.report_mapping = i == 0;
        IngestPipeline* self = p.get();
        BatcherContext ctx{*s.sink,
                           std::move(s.mapper),
                           *p->spool_,
                           file,
                           p->stats_.add_sink(name),
                           p->stats_,
                           dead,
                           log,
                           p->drain_,
                           [self] { self->release_done(); }};
        p->batchers_.push_back(std::make_unique<SinkBatcher>(std::move(ctx), bo, start));
    }
    return p;
}

void IngestPipeline::log_repairs() {
    for (const auto& r : spool_->repairs()) {
        stats_.spool_dropped.fetch_add(1);
        stats_.spool_dropped_bytes.fetch_add(r.drop.bytes);
        log_.error(fmt::format(
            "spool {}: dropped {} bytes at offset {} that are not a whole record ({}){}", r.path,
            r.drop.bytes, r.drop.offset, r.drop.reason,
            r.records_follow ? "; the whole records after them are kept" : ""));
    }
}

IngestPipeline::~IngestPipeline() {
    stop();
}

void IngestPipeline::start() {
    if (started_) return;
    started_ = true;
    for (auto& b : batchers_) threads_.emplace_back([raw = b.get()] { raw->run(); });
    fsync_thread_ = std::thread([this] { fsync_loop(); });
}

void IngestPipeline::accept(const base::Message& message) {
    if (!full_logged_ && spool_->bytes() >= options_.spool.max_bytes) {
        full_logged_ = true;
        log_.error(
            fmt::format("spool full ({} of {}): not acknowledging messages until the sinks "
                        "catch up; the broker keeps them",
                        human_bytes(spool_->bytes()), human_bytes(options_.spool.max_bytes)));
    }
    if (redelivery_.seen_before(message)) {
        // Spooled on an earlier connection: acknowledging it again is all that is left to do.
        stats_.redelivered.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    if (auto s = spool_->append(message); !s) hold_until_written(message, s.error().message);
    if (full_logged_ && spool_->bytes() < options_.spool.max_bytes) {
        full_logged_ = false;
        log_.warn("spool has room again: acknowledging messages");
    }
    stats_.received.fetch_add(1, std::memory_order_relaxed);
    if (options_.fsync_interval.count() == 0) (void)spool_->sync();
}

void IngestPipeline::hold_until_written(const base::Message& message, std::string why) {
    // Never return without the message on disk: Paho acknowledges it when accept() returns.
    // Holding the callback also stops Paho reading (and acknowledging) more, as a full spool does;
    // the broker keeps them in the session. Space comes back when the sinks catch up and
    // release() deletes what they wrote, or when the disk is cleaned or grown.
    holding_ = true;
    const auto since = std::chrono::steady_clock::now();
    auto next_log = since + std::chrono::seconds(30);
    log_.error(
        fmt::format("{}: not acknowledging messages until the spool can be written again "
                    "(the broker keeps them); retrying every 1s",
                    why));
    uint64_t tries = 0;
    while (true) {
        while (give_up_) std::this_thread::sleep_for(std::chrono::hours(1));
        spool_->wait_for_space(std::chrono::seconds(1));  // a deleted segment wakes it early
        ++tries;
        stats_.spool_retries.fetch_add(1, std::memory_order_relaxed);
        auto s = spool_->append(message);
        if (s) break;
        auto now = std::chrono::steady_clock::now();
        if (s.error().message != why || now >= next_log) {
            why = s.error().message;
            next_log = now + std::chrono::seconds(30);
            log_.error(fmt::format("still cannot write the spool after {:.0f}s ({} retries): {}",
                                   std::chrono::duration<double>(now - since).count(), tries, why));
        }
    }
    holding_ = false;
    log_.warn(fmt::format(
        "spool written again after {:.1f}s and {} retries: acknowledging "
        "messages",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count(), tries));
}

void IngestPipeline::begin_stop() {
    give_up_ = true;
    spool_->unblock();
}

uint64_t IngestPipeline::lowest_committed(uint64_t end) const {
    for (const auto& b : batchers_) end = std::min(end, b->committed());
    return end;
}

void IngestPipeline::release_done() {
    spool_->release(lowest_committed(spool_->end()));
}

uint64_t IngestPipeline::backlog() const {
    const uint64_t end = spool_->end();
    return end - lowest_committed(end);
}

void IngestPipeline::fsync_loop() {
    auto step = std::chrono::milliseconds(50);
    auto next = std::chrono::steady_clock::now() + options_.fsync_interval;
    while (!drain_.stopping()) {
        drain_.sleep(step);
        if (options_.fsync_interval.count() == 0 || std::chrono::steady_clock::now() < next)
            continue;
        if (auto s = spool_->sync(); !s) log_.error(s.error().message);
        next = std::chrono::steady_clock::now() + options_.fsync_interval;
    }
}

uint64_t IngestPipeline::stop() {
    if (stopped_) return backlog();
    stopped_ = true;
    begin_stop();
    drain_.begin(std::chrono::steady_clock::now() + options_.drain_time);
    spool_->wake_readers();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    if (fsync_thread_.joinable()) fsync_thread_.join();
    if (auto s = spool_->sync(); !s) log_.error(s.error().message);
    return backlog();
}

std::string IngestPipeline::summary() const {
    std::string state = spool_->write_failing()
                            ? (spool_->write_errno() == ENOSPC ? "DISK FULL" : "UNWRITABLE")
                        : spool_->full() ? "FULL"
                                         : "";
    return stats_.summary(spool_->end(), spool_->bytes(), state);
}

}  // namespace iotctl::ingest
