#include "format/encoding.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace mqtt2s3::format {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::array<int8_t, 256> MakeBase64Table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kBase64Alphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr std::array<int8_t, 256> kBase64Table = MakeBase64Table();

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure inside OpenSSL; an empty digest then makes
  // every checksum comparison fail loudly rather than pass.
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) return {};
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    out.push_back(kBase64Alphabet[(v >> 18) & 63]);
    out.push_back(kBase64Alphabet[(v >> 12) & 63]);
    out.push_back(kBase64Alphabet[(v >> 6) & 63]);
    out.push_back(kBase64Alphabet[v & 63]);
  }
  const size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{p[i]} << 16;
    if (rest == 2) v |= uint32_t{p[i + 1]} << 8;
    out.push_back(kBase64Alphabet[(v >> 18) & 63]);
    out.push_back(kBase64Alphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64Alphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

StatusOr<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return Status::Corruption("base64 length " + std::to_string(text.size()) +
                              " is not a multiple of 4");
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int pad = 0;
    uint32_t v = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      int d;
      if (c == '=' && last && j >= 2) {
        ++pad;
        d = 0;
      } else {
        d = pad > 0 ? -1 : kBase64Table[static_cast<uint8_t>(c)];
      }
      if (d < 0) return Status::Corruption("invalid base64 at character " + std::to_string(i + j));
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    out.push_back(static_cast<char>((v >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((v >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(v & 0xff));
  }
  return out;
}

std::string HexEncode(std::string_view data) {
  std::string out;
  out.reserve(data.size() * 2);
  for (unsigned char c : data) {
    out.push_back(kHexDigits[c >> 4]);
    out.push_back(kHexDigits[c & 15]);
  }
  return out;
}

StatusOr<std::string> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return Status::Corruption("odd-length hex '" + std::string(text) + "'");
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = HexValue(text[i]);
    const int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return Status::Corruption("invalid hex '" + std::string(text) + "'");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string PercentEncode(std::string_view data) {
  std::string out;
  out.reserve(data.size());
  for (unsigned char c : data) {
    if (c > 0x20 && c < 0x7f && c != '%') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back("0123456789ABCDEF"[c >> 4]);
      out.push_back("0123456789ABCDEF"[c & 15]);
    }
  }
  return out;
}

StatusOr<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return Status::Corruption("truncated percent escape in '" + std::string(text) + "'");
    }
    const int hi = HexValue(text[i + 1]);
    const int l = HexValue(text[i + 2]);
    if (hi < 0 || l < 0) {
      return Status::Corruption("invalid percent escape in '" + std::string(text) + "'");
    }
    out.push_back(static_cast<char>(hi * 16 + l));
    i += 2;
  }
  return out;
}

StatusOr<std::string> ZlibCompress(std::string_view data, int level) {
  uLongf bound = compressBound(static_cast<uLong>(data.size()));
  std::string out(bound, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &bound,
                           reinterpret_cast<const Bytef*>(data.data()),
                           static_cast<uLong>(data.size()), level);
  if (rc != Z_OK) return Status::Internal("zlib compress2 failed with code " + std::to_string(rc));
  out.resize(bound);
  return out;
}

StatusOr<std::string> ZlibCompressWithStoredTail(std::string_view head, std::string_view tail,
                                                 size_t block, int level, uint64_t* tail_at) {
  if (block == 0 || block > 65535 || tail.size() % block != 0) {
    return Status::InvalidArgument("stored tail: " + std::to_string(tail.size()) +
                                   " bytes in blocks of " + std::to_string(block));
  }
  // The head as raw deflate (no zlib header or trailer), ended by a sync flush: its last block
  // is non-final and the stream is byte-aligned, so stored blocks can follow (RFC 1951 3.2.4).
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("zlib deflateInit2 failed");
  }
  std::string out = "\x78\x9c";  // zlib header: deflate, 32 KiB window; FLEVEL is advisory
  out.resize(2 + deflateBound(&zs, static_cast<uLong>(head.size())) + 16);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(head.data()));
  zs.avail_in = static_cast<uInt>(head.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data() + 2);
  zs.avail_out = static_cast<uInt>(out.size() - 2);
  const int rc = deflate(&zs, Z_SYNC_FLUSH);
  const size_t produced = out.size() - 2 - zs.avail_out;
  deflateEnd(&zs);
  if (rc != Z_OK || zs.avail_in != 0 || zs.avail_out == 0) {  // avail_out 0: output may be cut
    return Status::Internal("zlib deflate failed with code " + std::to_string(rc));
  }
  out.resize(2 + produced);
  const size_t blocks = tail.size() / block;
  out.reserve(out.size() + blocks * (block + 5) + 5 + 4);
  *tail_at = out.size() + 5;
  auto stored = [&](std::string_view bytes, bool final) {
    const auto len = static_cast<uint16_t>(bytes.size());
    const auto nlen = static_cast<uint16_t>(~len);
    out.push_back(final ? '\x01' : '\x00');  // BFINAL, BTYPE 00, then padding to the byte
    out.push_back(static_cast<char>(len & 0xFF));
    out.push_back(static_cast<char>(len >> 8));
    out.push_back(static_cast<char>(nlen & 0xFF));
    out.push_back(static_cast<char>(nlen >> 8));
    out.append(bytes);
  };
  for (size_t b = 0; b < blocks; ++b) stored(tail.substr(b * block, block), b + 1 == blocks);
  if (blocks == 0) stored({}, true);
  uLong adler = adler32(0, nullptr, 0);
  adler = adler32_z(adler, reinterpret_cast<const Bytef*>(head.data()), head.size());
  adler = adler32_z(adler, reinterpret_cast<const Bytef*>(tail.data()), tail.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(adler >> shift));
  return out;
}

StatusOr<std::string> ZlibDecompress(std::string_view data, size_t max_output) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return Status::Internal("zlib inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  out.resize(std::min<size_t>(max_output, std::max<size_t>(data.size() * 4, 4096)));
  size_t produced = 0;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (produced == out.size()) {
      if (out.size() >= max_output) {
        inflateEnd(&zs);
        return Status::Corruption("zlib stream inflates past " + std::to_string(max_output) +
                                  " bytes");
      }
      out.resize(std::min(max_output, out.size() * 2));
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out.size() - produced);
    rc = inflate(&zs, Z_NO_FLUSH);
    produced = out.size() - zs.avail_out;
  }
  const size_t unused = zs.avail_in;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    return Status::Corruption("zlib stream is corrupt or truncated (inflate code " +
                              std::to_string(rc) + ")");
  }
  if (unused != 0) {
    return Status::Corruption(std::to_string(unused) + " trailing bytes after the zlib stream");
  }
  out.resize(produced);
  return out;
}

}  // namespace mqtt2s3::format
