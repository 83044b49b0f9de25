#include "sys/service_signals.hpp"

#include <pthread.h>

#include <string>

#include "sys/systemd.hpp"
#include "util/log.hpp"

namespace rkt::sys {

ServiceSignals::ServiceSignals() {
  sigemptyset(&m_signals);
  sigaddset(&m_signals, SIGINT);
  sigaddset(&m_signals, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &m_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

int ServiceSignals::serve_until_stopped(std::string_view name) const {
  log::warn_and_drop(notify("READY=1\nSTATUS=" + std::string(name) + " running"));
  int signal_number = 0;
  ::sigwait(&m_signals, &signal_number);
  log::info("{} exiting...", name);
  log::warn_and_drop(notify("STOPPING=1"));
  return signal_number;
}

}  // namespace rkt::sys
