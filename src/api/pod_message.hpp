#pragma once

#include "pod/pod.hpp"
#include "v1alpha/api.pb.h"

namespace rkt::api {

/// How much of a pod a reply carries: ListPods without `detail` gives apps as name + image id.
enum class PodDetail { basic, full };

/// The v1alpha message of a loaded pod (rkt's api_service getPod): id, pid, state, times, apps
/// with their states and exit codes, annotations; the manifest with full detail. Networks and
/// cgroup stay empty until pods get CNI networks and cgroups of their own.
v1alpha::Pod pod_message(const pod::Pod& pod, PodDetail detail);

/// Whether `pod` satisfies every condition of `filter` (rkt: conditions AND, filters OR).
bool matches(const v1alpha::Pod& pod, const v1alpha::PodFilter& filter);
/// No filters match everything; else any one of them must match.
bool matches_any(const v1alpha::Pod& pod,
                 const google::protobuf::RepeatedPtrField<v1alpha::PodFilter>& filters);

}  // namespace rkt::api
