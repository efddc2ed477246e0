#include "core/broker/publisher.h"

#include <cstdlib>
#include <string_view>

#include "core/broker/session.h"
#include "core/broker/sync_publisher.h"

namespace iotctl::broker {

PublisherKind default_publisher_kind() {
    const char* env = std::getenv("IOTCTL_PUBLISHER");
    if (env && std::string_view(env) == "async") return PublisherKind::async;
    return PublisherKind::sync;
}

std::unique_ptr<Publisher> make_publisher(const ConnOptions& opts, const std::string& command,
                                          PublisherKind kind) {
    if (kind == PublisherKind::async) return std::make_unique<MqttSession>(opts, command);
    return std::make_unique<SyncPublisher>(opts, command);
}

}  // namespace iotctl::broker
