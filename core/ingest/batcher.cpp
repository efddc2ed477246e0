#include "core/ingest/batcher.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/timestamps.h"
#include "core/ingest/checkpoint.h"
#include "core/ingest/spool_reader.h"

namespace iotctl::ingest {

namespace {
constexpr std::chrono::milliseconds k_fill_poll{20};
}

void DrainControl::begin(std::chrono::steady_clock::time_point deadline) {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    deadline_ = deadline;
    cv_.notify_all();
}

bool DrainControl::stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
}

bool DrainControl::expired() const {
    std::lock_guard lock(mutex_);
    return stopping_ && std::chrono::steady_clock::now() >= deadline_;
}

void DrainControl::sleep(std::chrono::milliseconds d) const {
    std::unique_lock lock(mutex_);
    auto until = std::chrono::steady_clock::now() + d;
    if (stopping_) until = std::min(until, deadline_);
    cv_.wait_until(lock, until,
                   [&] { return stopping_ && std::chrono::steady_clock::now() >= deadline_; });
}

SinkBatcher::SinkBatcher(BatcherContext ctx, BatcherOptions options, uint64_t start)
    : ctx_(std::move(ctx)), options_(options), start_(start), saved_(start) {
    ctx_.stats.position = start;
}

bool SinkBatcher::gather(SpoolReader& reader, std::vector<SpoolEntry>& entries) {
    auto first_at = std::chrono::steady_clock::now();
    while (true) {
        if (ctx_.drain.expired()) return false;
        size_t before = entries.size();
        reader.read(entries, options_.batch_size - entries.size(), options_.batch_bytes);
        if (before == 0 && !entries.empty()) {
            first_at = std::chrono::steady_clock::now();
            ctx_.stats.pending_since_ns.store(entries.front().message.ts_ns,
                                              std::memory_order_relaxed);
        }
        if (entries.size() >= options_.batch_size) return true;
        if (ctx_.drain.stopping()) {
            // The MQTT session is closed by now: nothing more arrives, write what is left.
            if (reader.position() < ctx_.spool.end()) {
                if (!entries.empty()) return true;
                continue;
            }
            return !entries.empty();
        }
        if (entries.empty()) {
            if (checkpoint_failing_) save_checkpoint();  // idle: a good time to try again
            ctx_.spool.wait_for_data(reader.position(), options_.flush_interval);
            continue;
        }
        auto waited = std::chrono::steady_clock::now() - first_at;
        if (waited >= options_.flush_interval) return true;
        auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(options_.flush_interval - waited);
        ctx_.spool.wait_for_data(reader.position(), std::min(left, k_fill_poll));
        if (reader.position() < ctx_.spool.end()) ctx_.drain.sleep(std::min(left, k_fill_poll));
    }
}

void SinkBatcher::map_batch(const std::vector<SpoolEntry>& entries,
                            std::vector<base::Record>& records) {
    for (const auto& e : entries) {
        size_t before = records.size();
        mapping::MapOutcome outcome;
        try {
            outcome = ctx_.mapper->map(e.message, records);
        } catch (const std::exception& ex) {
            records.resize(before);
            outcome = mapping::MapOutcome{
                mapping::MapOutcome::dead, fmt::format("mapping failed: {}", ex.what()), {}};
        }
        for (size_t i = before; i < records.size(); ++i) records[i].seq = e.offset;
        if (!options_.report_mapping) continue;
        if (outcome.kind == mapping::MapOutcome::dead) {
            ctx_.totals.dead.fetch_add(1);
            keep_dead_letter(e.message, outcome.reason);
        } else if (outcome.kind == mapping::MapOutcome::skipped) {
            ctx_.totals.skipped.fetch_add(1);
        } else if (!outcome.reason.empty()) {
            ctx_.totals.partial.fetch_add(1);
            ctx_.totals.add_partial(outcome.dropped);
            keep_dead_letter(e.message, "partly stored: " + outcome.reason);
        }
    }
}

void SinkBatcher::dead_letter_rejected(const base::Record& record,
                                       const std::vector<SpoolEntry>& entries,
                                       const std::string& why) {
    ctx_.stats.rejected.fetch_add(1);
    auto it = std::lower_bound(entries.begin(), entries.end(), record.seq,
                               [](const SpoolEntry& e, uint64_t seq) { return e.offset < seq; });
    base::Message m;
    if (it != entries.end() && it->offset == record.seq) m = it->message;
    auto reason =
        fmt::format("{} rejected the record ({}): {}", ctx_.stats.name, record.measurement, why);
    keep_dead_letter(m, reason);
}

void SinkBatcher::keep_dead_letter(const base::Message& message, const std::string& reason) {
    auto written = ctx_.dead.write(message, reason);
    if (written) return;
    // The checkpoint moves past this message: the log is the last place the letter can go.
    ctx_.totals.dead_logged.fetch_add(1);
    ctx_.log.error(
        fmt::format("{}; the dead letter goes to this log instead (payload in base64): {}",
                    written.error().message, dead_letter_log_text(message, reason)));
}

bool SinkBatcher::write_records(std::vector<base::Record> records,
                                const std::vector<SpoolEntry>& entries) {
    auto backoff = options_.first_backoff;
    while (!records.empty()) {
        sinks::WriteOutcome out;
        const auto write_began = std::chrono::steady_clock::now();
        try {
            out = ctx_.sink.write(records);
        } catch (const std::exception& e) {
            out = sinks::WriteOutcome{sinks::WriteOutcome::retry, e.what(), {}, {}, {}};
        }
        ctx_.stats.write_seconds.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - write_began).count());
        for (const std::string& warning : out.warnings)
            ctx_.log.warn(fmt::format("{}: {}", ctx_.stats.name, warning));
        if (out.kind == sinks::WriteOutcome::ok) {
            ctx_.totals.partial.fetch_add(out.dropped.size());  // rows stored without a value
            ctx_.totals.add_partial(out.dropped);
            ctx_.stats.records.fetch_add(records.size());
            ctx_.stats.batches.fetch_add(1);
            ctx_.stats.failing_since_ns.store(0, std::memory_order_relaxed);
            if (ctx_.stats.down.exchange(false))
                ctx_.log.info(fmt::format("{}: writes succeed again", ctx_.stats.name));
            return true;
        }
        if (out.kind == sinks::WriteOutcome::retry) {
            ctx_.stats.retries.fetch_add(1);
            note_failure(out.message);
            ctx_.stats.down = true;
            if (ctx_.drain.expired()) return false;
            ctx_.log.warn(fmt::format("{}: write of {} records failed ({}); retrying in {:.1f}s",
                                      ctx_.stats.name, records.size(), out.message,
                                      backoff.count() / 1000.0));
            ctx_.drain.sleep(backoff);
            if (ctx_.drain.expired()) return false;
            backoff = std::min(backoff * 2, options_.max_backoff);
            continue;
        }
        // Rejected: dead-letter the bad records, keep the good ones.
        if (!out.rejected.empty()) {
            std::vector<bool> bad(records.size(), false);
            for (size_t i : out.rejected)
                if (i < records.size()) bad[i] = true;
            std::vector<base::Record> rest;
            for (size_t i = 0; i < records.size(); ++i) {
                if (bad[i])
                    dead_letter_rejected(records[i], entries, out.message);
                else
                    rest.push_back(std::move(records[i]));
            }
            records = std::move(rest);
            continue;
        }
        if (records.size() == 1) {
            dead_letter_rejected(records[0], entries, out.message);
            return true;
        }
        // Which record is bad is unknown: halve the batch until the bad ones stand alone.
        size_t half = records.size() / 2;
        std::vector<base::Record> second(
            std::make_move_iterator(records.begin() + static_cast<long>(half)),
            std::make_move_iterator(records.end()));
        records.resize(half);
        return write_records(std::move(records), entries) &&
               write_records(std::move(second), entries);
    }
    return true;
}

void SinkBatcher::note_failure(const std::string& why) {
    const int64_t now = base::now_ns();
    ctx_.stats.last_error.set(why);
    ctx_.stats.last_error_ns.store(now, std::memory_order_relaxed);
    int64_t none = 0;
    ctx_.stats.failing_since_ns.compare_exchange_strong(none, now, std::memory_order_relaxed);
}

void SinkBatcher::run() {
    ctx_.stats.running = true;
    SpoolReader reader(ctx_.spool, start_);
    std::vector<SpoolEntry> entries;
    std::vector<base::Record> records;
    uint64_t skipped_logged = 0;
    while (true) {
        entries.clear();
        records.clear();
        if (!gather(reader, entries)) break;
        if (reader.skipped_bytes() != skipped_logged) {
            ctx_.log.error(fmt::format("{}: skipped {} corrupt spool bytes", ctx_.stats.name,
                                       reader.skipped_bytes() - skipped_logged));
            skipped_logged = reader.skipped_bytes();
        }
        map_batch(entries, records);
        if (!write_records(std::move(records), entries)) break;  // stopped while the sink was down
        commit(reader.position(), entries.size());
    }
    if (checkpoint_failing_) save_checkpoint();
    ctx_.stats.running = false;
}

void SinkBatcher::commit(uint64_t position, size_t messages) {
    ctx_.stats.messages.fetch_add(messages);
    ctx_.stats.position = position;
    ctx_.stats.pending_since_ns.store(0, std::memory_order_relaxed);
    // Segments go first: on a full disk that makes the room the checkpoint file needs. Should
    // the process die before the checkpoint is written, the next run starts at the oldest
    // segment left, past what was deleted (all of it already in this sink).
    if (ctx_.on_commit) ctx_.on_commit();
    save_checkpoint();
}

void SinkBatcher::save_checkpoint() {
    uint64_t position = ctx_.stats.position.load();
    if (position == saved_ && !checkpoint_failing_) return;
    if (auto s = write_checkpoint(ctx_.checkpoint_file, position, ctx_.spool.disk()); !s) {
        if (!checkpoint_failing_)
            ctx_.log.error(
                fmt::format("{}: {}; retrying after the next batch or second (a restart "
                            "now writes again what came after the previous one)",
                            ctx_.stats.name, s.error().message));
        checkpoint_failing_ = true;
        return;
    }
    if (checkpoint_failing_)
        ctx_.log.info(fmt::format("{}: checkpoint written again", ctx_.stats.name));
    checkpoint_failing_ = false;
    saved_ = position;
}

}  // namespace iotctl::ingest
