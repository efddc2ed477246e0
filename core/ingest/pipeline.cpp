#include "core/ingest/pipeline.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "core/ingest/checkpoint.h"

namespace iotctl::ingest {

base::Result<std::unique_ptr<IngestPipeline>> IngestPipeline::open(PipelineOptions options,
                                                                   std::vector<PipelineSink> sinks,
                                                                   DeadLetterFile& dead,
                                                                   IngestLog& log) {
    std::unique_ptr<IngestPipeline> p(new IngestPipeline(std::move(options), dead, log));
    const auto& dir = p->options_.state_dir;
    auto spool = Spool::open(dir, p->options_.spool, highest_checkpoint(dir));
    if (!spool) return spool.error();
    p->spool_ = std::move(*spool);
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
    while (true) {
        auto s = spool_->append(message);
        if (s) break;
        // Never return without the message on disk: returning would acknowledge it.
        log_.error(s.error().message + "; retrying in 1s");
        if (drain_.stopping()) {
            log_.error("stopping with the spool unwritable: exiting without acknowledging");
            std::_Exit(1);
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    if (full_logged_ && spool_->bytes() < options_.spool.max_bytes) {
        full_logged_ = false;
        log_.warn("spool has room again: acknowledging messages");
    }
    stats_.received.fetch_add(1, std::memory_order_relaxed);
    if (options_.fsync_interval.count() == 0) (void)spool_->sync();
}

void IngestPipeline::release_done() {
    uint64_t lowest = spool_->end();
    for (const auto& b : batchers_) lowest = std::min(lowest, b->committed());
    spool_->release(lowest);
}

uint64_t IngestPipeline::backlog() const {
    uint64_t lowest = spool_->end();
    for (const auto& b : batchers_) lowest = std::min(lowest, b->committed());
    return spool_->end() - lowest;
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
    drain_.begin(std::chrono::steady_clock::now() + options_.drain_time);
    spool_->unblock();
    spool_->wake_readers();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    if (fsync_thread_.joinable()) fsync_thread_.join();
    if (auto s = spool_->sync(); !s) log_.error(s.error().message);
    return backlog();
}

std::string IngestPipeline::summary() const {
    return stats_.summary(spool_->end(), spool_->bytes(), spool_->full());
}

}  // namespace iotctl::ingest
