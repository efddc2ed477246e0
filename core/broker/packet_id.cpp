#include "core/broker/packet_id.h"

namespace iotctl::broker {

namespace {
// Paho C++ 1.2 copies the whole C message (packet id included) into the private `msg_` and
// exposes it only to its own unit tests. An explicit instantiation may name a private member
// (C++ [temp.spec]/6), and the friend it defines hands that member pointer out.
struct CMessageField {
    using type = MQTTAsync_message mqtt::message::*;
    friend type member(CMessageField);
};

template <typename Field, typename Field::type Member>
struct ExposeMember {
    friend typename Field::type member(Field) { return Member; }
};

template struct ExposeMember<CMessageField, &mqtt::message::msg_>;
}  // namespace

int packet_id(const mqtt::message& message) {
    return (message.*member(CMessageField{})).msgid;
}

}  // namespace iotctl::broker
