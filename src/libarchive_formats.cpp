// rkt links libarchive statically and writes only pax tar (ACIs, exports). libarchive's table of
// writer formats (archive_write_set_format.o, which the pax writer needs) names every writer, and
// the xar writer needs libxml2 and through it ICU: several megabytes of shared libraries loaded at
// every rkt start. Defining the xar entry point here keeps that object out of the link; asking
// for xar fails cleanly, as it does in a libarchive built without libxml2.
#include <archive.h>

#include <cerrno>

extern "C" int archive_write_set_format_xar(struct archive* archive) {
  archive_set_error(archive, EINVAL, "xar format not supported by rkt");
  return ARCHIVE_FATAL;
}
