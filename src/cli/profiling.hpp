#pragma once

#include <string>

namespace rkt::cli {

/// Writes a gperftools CPU profile and/or heap profile (readable by google-pprof) while alive,
/// for the hidden --cpuprofile and --memprofile flags.
///
/// gperftools is loaded only when asked for: linked in, tcmalloc's start-up alone took a third
/// of every rkt invocation. The heap profiler needs tcmalloc as the process's allocator from the
/// first allocation, so --memprofile re-executes rkt with tcmalloc preloaded.
class Profiling {
 public:
  Profiling(std::string cpu_profile, std::string mem_profile, char** argv);
  Profiling(const Profiling&) = delete;
  Profiling& operator=(const Profiling&) = delete;
  ~Profiling();

 private:
  std::string m_cpu_profile;
  std::string m_mem_profile;
};

}  // namespace rkt::cli
