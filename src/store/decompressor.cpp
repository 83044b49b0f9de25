#include "store/decompressor.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

namespace rkt::store {

namespace {

constexpr size_t k_block_size = 1 << 20;
/// Enough bytes to recognise every magic number we know.
constexpr size_t k_magic_size = 6;

Error decompress_error(std::string_view source, std::string_view reason) {
  return Error::make(ErrorKind::invalid_argument, "decompressing {}: {}", source, reason);
}

Result<size_t> read_some(int fd, char* buffer, size_t size, std::string_view source) {
  while (true) {
    ssize_t n = ::read(fd, buffer, size);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return Error::from_errno(errno, "reading {}", source);
  }
}

/// The first block of the input, read before we know what it is.
struct Head {
  std::vector<char> buffer;
  size_t size = 0;
  bool at_eof = false;
};

Result<Head> read_head(int fd, std::string_view source) {
  Head head;
  head.buffer.resize(k_block_size);
  while (head.size < k_magic_size) {
    RKT_TRY_ASSIGN(size_t n, read_some(fd, head.buffer.data() + head.size,
                                       head.buffer.size() - head.size, source));
    if (n == 0) {
      head.at_eof = true;
      break;
    }
    head.size += n;
  }
  return head;
}

/// Uncompressed input: hands out the head, then reads the descriptor.
class PlainSource final : public Decompressor {
 public:
  PlainSource(int fd, Head head, std::string_view source)
      : m_fd(fd), m_head(std::move(head)), m_source(source) {}

  Result<std::span<const char>> next() override {
    if (m_head.size > 0)
      return std::span<const char>(m_head.buffer.data(), std::exchange(m_head.size, 0));
    if (m_head.at_eof) return std::span<const char>();
    RKT_TRY_ASSIGN(size_t n, read_some(m_fd, m_head.buffer.data(), m_head.buffer.size(), m_source));
    if (n == 0) m_head.at_eof = true;
    return std::span<const char>(m_head.buffer.data(), n);
  }
  StreamCompression compression() const override { return StreamCompression::none; }

 private:
  int m_fd;
  Head m_head;
  std::string_view m_source;
};

/// An uncompressed in-process stream: its blocks as they are.
class PlainBlocks final : public Decompressor {
 public:
  PlainBlocks(util::BlockReader reader, std::string_view source)
      : m_reader(std::move(reader)), m_source(source) {}

  Result<std::span<const char>> next() override {
    auto block = m_reader();
    if (!block) return std::move(block).error().wrap("reading {}", m_source);
    return block;
  }
  StreamCompression compression() const override { return StreamCompression::none; }

 private:
  util::BlockReader m_reader;
  std::string_view m_source;
};

/// Gzip through zlib, which checks each member's CRC-32 and length; concatenated members are
/// one stream (as gzip -d does), and non-gzip bytes after the last member are ignored.
class GzipSource final : public Decompressor {
 public:
  GzipSource(int fd, Head head, std::string_view source)
      : m_fd(fd), m_in(std::move(head.buffer)), m_in_eof(head.at_eof), m_source(source) {
    m_out.resize(k_block_size);
    m_zlib.next_in = reinterpret_cast<Bytef*>(m_in.data());
    m_zlib.avail_in = static_cast<uInt>(head.size);
  }
  ~GzipSource() override {
    if (m_initialised) inflateEnd(&m_zlib);
  }

  Result<void> init() {
    if (inflateInit2(&m_zlib, 15 + 16) != Z_OK)
      return decompress_error(m_source, "zlib init failed");
    m_initialised = true;
    return {};
  }

  Result<std::span<const char>> next() override {
    while (true) {
      if (m_zlib.avail_in == 0 && !m_in_eof) RKT_TRY(fill());
      if (m_member_done) {
        if (m_zlib.avail_in == 0 || m_zlib.next_in[0] != 0x1f) return std::span<const char>();
        inflateReset(&m_zlib);
        m_member_done = false;
      }
      if (m_zlib.avail_in == 0) return decompress_error(m_source, "unexpected end of gzip data");
      m_zlib.next_out = reinterpret_cast<Bytef*>(m_out.data());
      m_zlib.avail_out = static_cast<uInt>(m_out.size());
      int rc = inflate(&m_zlib, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        m_member_done = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return decompress_error(m_source, m_zlib.msg ? m_zlib.msg : zError(rc));
      }
      size_t produced = m_out.size() - m_zlib.avail_out;
      if (produced > 0) return std::span<const char>(m_out.data(), produced);
    }
  }
  StreamCompression compression() const override { return StreamCompression::gzip; }

 private:
  Result<void> fill() {
    RKT_TRY_ASSIGN(size_t n, read_some(m_fd, m_in.data(), m_in.size(), m_source));
    if (n == 0) m_in_eof = true;
    m_zlib.next_in = reinterpret_cast<Bytef*>(m_in.data());
    m_zlib.avail_in = static_cast<uInt>(n);
    return {};
  }

  int m_fd;
  std::vector<char> m_in;
  std::vector<char> m_out;
  bool m_in_eof;
  bool m_member_done = false;
  bool m_initialised = false;
  z_stream m_zlib{};
  std::string_view m_source;
};

/// bzip2, xz and zstd through libarchive's filters (format "raw": the filtered bytes as one
/// entry), fed from the head and then the descriptor.
class ArchiveSource final : public Decompressor {
 public:
  ArchiveSource(int fd, Head head, std::string_view source, StreamCompression compression)
      : m_archive(archive_read_new(), &archive_read_free),
        m_fd(fd),
        m_head(std::move(head)),
        m_source(source),
        m_compression(compression) {}

  Result<void> init() {
    archive* a = m_archive.get();
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_format_raw(a);
    if (archive_read_open(a, this, nullptr, &ArchiveSource::read_callback, nullptr) != ARCHIVE_OK) {
      return error();
    }
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) m_eof = true;
    if (rc < ARCHIVE_WARN) return error();
    return {};
  }

  Result<std::span<const char>> next() override {
    while (!m_eof) {
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      int rc = archive_read_data_block(m_archive.get(), &block, &size, &offset);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_WARN) return error();
      if (size > 0) return std::span<const char>(static_cast<const char*>(block), size);
    }
    m_eof = true;
    return std::span<const char>();
  }
  StreamCompression compression() const override { return m_compression; }

 private:
  static la_ssize_t read_callback(archive* a, void* client, const void** buffer) {
    auto* self = static_cast<ArchiveSource*>(client);
    Head& head = self->m_head;
    *buffer = head.buffer.data();
    // libarchive keeps a block only until it asks for the next one, so one buffer serves all.
    if (head.size > 0) return static_cast<la_ssize_t>(std::exchange(head.size, 0));
    if (head.at_eof) return 0;
    auto n = read_some(self->m_fd, head.buffer.data(), head.buffer.size(), self->m_source);
    if (!n) {
      archive_set_error(a, n.error().sys_errno, "%s", n.error().message.c_str());
      return -1;
    }
    if (*n == 0) head.at_eof = true;
    return static_cast<la_ssize_t>(*n);
  }

  Error error() {
    const char* message = archive_error_string(m_archive.get());
    return decompress_error(m_source, message ? message : "unknown error");
  }

  std::unique_ptr<archive, decltype(&archive_read_free)> m_archive;
  int m_fd;
  Head m_head;
  std::string_view m_source;
  StreamCompression m_compression;
  bool m_eof = false;
};

bool starts_with_bytes(std::span<const char> data, std::initializer_list<unsigned char> magic) {
  if (data.size() < magic.size()) return false;
  return std::equal(magic.begin(), magic.end(), data.begin(),
                    [](unsigned char m, char c) { return m == static_cast<unsigned char>(c); });
}

}  // namespace

StreamCompression detect_compression(std::span<const char> head) {
  if (starts_with_bytes(head, {0x1f, 0x8b})) return StreamCompression::gzip;
  if (starts_with_bytes(head, {'B', 'Z', 'h'})) return StreamCompression::bzip2;
  if (starts_with_bytes(head, {0xfd, '7', 'z', 'X', 'Z', 0x00})) return StreamCompression::xz;
  if (starts_with_bytes(head, {0x28, 0xb5, 0x2f, 0xfd})) return StreamCompression::zstd;
  return StreamCompression::none;
}

Result<std::unique_ptr<Decompressor>> Decompressor::open(int fd, std::string_view source) {
  RKT_TRY_ASSIGN(Head head, read_head(fd, source));
  const auto compression = detect_compression(std::span<const char>(head.buffer.data(), head.size));
  switch (compression) {
    case StreamCompression::none:
      return std::unique_ptr<Decompressor>(
          std::make_unique<PlainSource>(fd, std::move(head), source));
    case StreamCompression::gzip: {
      auto gzip = std::make_unique<GzipSource>(fd, std::move(head), source);
      RKT_TRY(gzip->init());
      return std::unique_ptr<Decompressor>(std::move(gzip));
    }
    default: {
      auto other = std::make_unique<ArchiveSource>(fd, std::move(head), source, compression);
      RKT_TRY(other->init());
      return std::unique_ptr<Decompressor>(std::move(other));
    }
  }
}

std::unique_ptr<Decompressor> Decompressor::plain(util::BlockReader reader,
                                                  std::string_view source) {
  return std::make_unique<PlainBlocks>(std::move(reader), source);
}

}  // namespace rkt::store
