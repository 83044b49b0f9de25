#pragma once

#include <signal.h>

#include <string_view>

namespace rkt::sys {

/// How the long-running services (metadata, API) run until told to stop, as systemd units.
class ServiceSignals {
 public:
  /// Blocks SIGINT and SIGTERM for sigwait (construct before any thread starts: threads inherit
  /// the mask) and ignores SIGPIPE (a client that goes away is no reason to die).
  ServiceSignals();

  /// Tells systemd `READY=1` (STATUS=<name> running), waits for SIGINT or SIGTERM, then logs
  /// "<name> exiting..." and tells systemd `STOPPING=1`. Returns the signal.
  int serve_until_stopped(std::string_view name) const;

 private:
  sigset_t m_signals;
};

}  // namespace rkt::sys
