#pragma once

#include <string>

namespace rkt::cli {

/// Writes a gperftools CPU profile and/or heap profile (readable by google-pprof) while alive,
/// for the hidden --cpuprofile and --memprofile flags.
class Profiling {
 public:
  Profiling(std::string cpu_profile, std::string mem_profile);
  Profiling(const Profiling&) = delete;
  Profiling& operator=(const Profiling&) = delete;
  ~Profiling();

 private:
  std::string m_cpu_profile;
  std::string m_mem_profile;
};

}  // namespace rkt::cli
