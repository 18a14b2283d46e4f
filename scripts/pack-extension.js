#!/usr/bin/env node
/*
 * Pack the extension for parents: dist/himaya-chromium.zip (Chromium, Chrome,
 * Edge: unzip, then "Load unpacked") and dist/himaya-firefox.xpi (Firefox:
 * the same files; see docs/INSTALL.md for installing an unsigned add-on).
 *
 * Both archives hold the same files and the same manifest (it loads in both
 * browsers). The archives are reproducible: entries sorted, fixed times, so
 * the same sources always give the same bytes (and the same SHA-256, printed
 * at the end for the download page).
 *
 * Example:
 *   node scripts/pack-extension.js            # -> dist/himaya-chromium.zip, dist/himaya-firefox.xpi
 *   node scripts/pack-extension.js --out /tmp/pkg
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateRawSync } from "node:zlib";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = join(ROOT, "extension");
const DOS_TIME = 0; // 00:00:00
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01, the earliest a zip can say

// CRC-32 (the zip polynomial) in plain JS: zlib.crc32 needs Node 20.15, and packing
// must work with the Node 18 of Debian 12 and Ubuntu 24.04.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data) {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Every file of the extension, as [path inside the archive, bytes], sorted. */
export function extensionFiles(dir = SOURCE) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.startsWith(".")) continue;
    const full = join(entry.parentPath || entry.path, entry.name);
    out.push([relative(dir, full).split(sep).join("/"), readFileSync(full)]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** A zip archive (deflate, no extras) of [name, bytes] pairs. */
export function zip(files) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = Buffer.from(name, "utf8");
    const packed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    locals.push(local, nameBytes, packed);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt16LE(DOS_TIME, 12);
    entry.writeUInt16LE(DOS_DATE, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(packed.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const centralBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}

function main(argv) {
  const at = argv.indexOf("--out");
  const out = at >= 0 && argv[at + 1] ? argv[at + 1] : join(ROOT, "dist");
  const files = extensionFiles();
  const manifest = JSON.parse(files.find(([name]) => name === "manifest.json")[1].toString("utf8"));
  const archive = zip(files);
  mkdirSync(out, { recursive: true });
  for (const name of ["himaya-chromium.zip", "himaya-firefox.xpi"]) {
    const path = join(out, name);
    writeFileSync(path, archive);
    const sum = createHash("sha256").update(archive).digest("hex");
    console.log(`${path}  ${files.length} files, ${archive.length} bytes, version ${manifest.version}, sha256 ${sum}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
