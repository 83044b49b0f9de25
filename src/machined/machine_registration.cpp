#include "machined/machine_registration.hpp"

#include <systemd/sd-bus.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>

namespace rkt::machined {

namespace {

constexpr const char* k_service = "org.freedesktop.machine1";
constexpr const char* k_path = "/org/freedesktop/machine1";
constexpr const char* k_manager = "org.freedesktop.machine1.Manager";

struct BusDeleter {
  void operator()(sd_bus* bus) const { sd_bus_flush_close_unref(bus); }
};
using Bus = std::unique_ptr<sd_bus, BusDeleter>;
struct MessageDeleter {
  void operator()(sd_bus_message* message) const { sd_bus_message_unref(message); }
};
using Message = std::unique_ptr<sd_bus_message, MessageDeleter>;

/// An sd_bus_error freed on scope exit.
struct BusError {
  sd_bus_error error = SD_BUS_ERROR_NULL;
  BusError() = default;
  BusError(const BusError&) = delete;
  BusError& operator=(const BusError&) = delete;
  ~BusError() { sd_bus_error_free(&error); }
  bool is(const char* name) const { return sd_bus_error_has_name(&error, name) > 0; }
  std::string text(int r) const {
    return error.message != nullptr ? error.message : std::strerror(-r);
  }
};

/// The system bus when machined is on it; nullptr when either is absent (or does not answer).
Bus open_bus_with_machined() {
  sd_bus* raw = nullptr;
  if (sd_bus_open_system(&raw) < 0) return Bus();
  Bus bus(raw);
  BusError error;
  sd_bus_message* reply_raw = nullptr;
  int r = sd_bus_call_method(bus.get(), "org.freedesktop.DBus", "/org/freedesktop/DBus",
                             "org.freedesktop.DBus", "NameHasOwner", &error.error, &reply_raw, "s",
                             k_service);
  if (r < 0) return Bus();
  Message reply(reply_raw);
  int owned = 0;
  if (sd_bus_message_read(reply.get(), "b", &owned) < 0 || owned == 0) return Bus();
  return bus;
}

/// The UUID's 16 bytes (hex digits, dashes ignored).
Result<std::array<uint8_t, 16>> uuid_bytes(std::string_view uuid) {
  std::array<uint8_t, 16> bytes{};
  size_t digits = 0;
  for (char c : uuid) {
    if (c == '-') continue;
    int value = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (value < 0 || digits >= 32) break;
    bytes[digits / 2] = static_cast<uint8_t>(bytes[digits / 2] << 4 | value);
    ++digits;
  }
  if (digits != 32) return Error::make(ErrorKind::invalid_argument, "bad pod UUID `{}`", uuid);
  return bytes;
}

Error bus_error(int r, const BusError& error, std::string_view what) {
  return Error::make(ErrorKind::io, "{}: {}", what, error.text(r));
}

}  // namespace

std::string machine_name(std::string_view uuid) {
  return "rkt-" + std::string(uuid);
}

Result<Outcome> register_pod(std::string_view uuid, pid_t leader, std::string_view root) {
  RKT_TRY_ASSIGN(auto id, uuid_bytes(uuid));
  Bus bus = open_bus_with_machined();
  if (!bus) return Outcome::machined_absent;
  std::string name = machine_name(uuid);
  std::string root_dir(root);
  sd_bus_message* call_raw = nullptr;
  int r = sd_bus_message_new_method_call(bus.get(), &call_raw, k_service, k_path, k_manager,
                                         "RegisterMachine");
  if (r < 0) return Error::from_errno(-r, "building RegisterMachine");
  Message call(call_raw);
  if ((r = sd_bus_message_append(call.get(), "s", name.c_str())) < 0 ||
      (r = sd_bus_message_append_array(call.get(), 'y', id.data(), id.size())) < 0 ||
      (r = sd_bus_message_append(call.get(), "ssus", "rkt", "container",
                                 static_cast<uint32_t>(leader), root_dir.c_str())) < 0) {
    return Error::from_errno(-r, "building RegisterMachine");
  }
  BusError error;
  sd_bus_message* reply = nullptr;
  r = sd_bus_call(bus.get(), call.get(), 0, &error.error, &reply);
  Message owned_reply(reply);
  if (r < 0) return bus_error(r, error, "RegisterMachine " + name);
  return Outcome::done;
}

Result<Outcome> unregister_pod(std::string_view uuid) {
  Bus bus = open_bus_with_machined();
  if (!bus) return Outcome::machined_absent;
  std::string name = machine_name(uuid);
  BusError error;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(bus.get(), k_service, k_path, k_manager, "UnregisterMachine",
                             &error.error, &reply, "s", name.c_str());
  Message owned_reply(reply);
  if (r < 0 && !error.is("org.freedesktop.machine1.NoSuchMachine")) {
    return bus_error(r, error, "UnregisterMachine " + name);
  }
  return Outcome::done;
}

}  // namespace rkt::machined
