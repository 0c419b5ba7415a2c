// Lazy access to the members of a ZIP archive (PKWARE APPNOTE.TXT 6.3): the central directory is
// listed with `yauzl` (one entry at a time, through a reader that checks every read against the
// file size: a corrupt record pointing beyond the file becomes an error, not a throw inside an
// fs callback), and a member's bytes are read only when asked for, by range. Stored members are
// read in place (any sub-range); deflated ones are inflated whole, with the output capped at the
// size the directory declares. Used by the PyTorch checkpoint reader.
import { read as fsRead } from 'node:fs';
import { open as fsOpen } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import type yauzlTypes from 'yauzl';
import { WeightsError } from './errors.js';
import { readRange } from './decode.js';

const MAX_MEMBERS = 1_000_000;
/** Deflated members larger than this are not inflated in memory. */
const MAX_INFLATE = 2 * 1024 * 1024 * 1024;

/** A member as the central directory describes it (sizes in bytes; method 0 stored, 8 deflate). */
export interface ZipMember {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  headerOffset: number;
  encrypted: boolean;
}

// yauzl reads through this reader: every read is checked against the file size first, so a
// corrupt record (e.g. a ZIP64 locator pointing beyond 2^53) becomes an error, not a throw
// inside an fs callback. yauzl is loaded on the first ZIP read (commands that read none start without it).
function checkedReader(yauzl: typeof yauzlTypes, fd: number, size: number): yauzlTypes.RandomAccessReader {
  class CheckedReader extends yauzl.RandomAccessReader {
    override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
      if (!Number.isSafeInteger(position) || position < 0 || length < 0 || position + length > size) {
        setImmediate(() => callback(new Error(`a ZIP record points to bytes ${position}..${position + length}, outside the file (${size} bytes)`)));
        return;
      }
      fsRead(fd, buffer, offset, length, position, (err, n) => {
        callback(err ?? (n !== length ? new Error(`short read at ${position}`) : null));
      });
    }
  }
  return new CheckedReader();
}

/** List a ZIP's members from its central directory (lazily, one entry at a time). */
export async function listZip(path: string): Promise<Map<string, ZipMember>> {
  const { default: yauzl } = await import('yauzl');
  const fh = await fsOpen(path, 'r');
  try {
    const size = (await fh.stat()).size;
    return await new Promise((resolve, reject) => {
      const opts = { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true, decodeStrings: true };
      yauzl.fromRandomAccessReader(checkedReader(yauzl, fh.fd, size), size, opts, (err, zip) => {
        if (err || !zip) {
          reject(err ?? new Error('cannot open ZIP'));
          return;
        }
        const members = new Map<string, ZipMember>();
        zip.on('error', (e: Error) => reject(e));
        zip.on('end', () => resolve(members));
        zip.on('entry', (e: yauzlTypes.Entry) => {
          members.set(e.fileName, {
            name: e.fileName,
            method: e.compressionMethod,
            compressedSize: e.compressedSize,
            size: e.uncompressedSize,
            headerOffset: e.relativeOffsetOfLocalHeader,
            encrypted: (e.generalPurposeBitFlag & 1) !== 0,
          });
          if (members.size > MAX_MEMBERS) reject(new Error(`more than ${MAX_MEMBERS} ZIP members`));
          else zip.readEntry();
        });
        zip.readEntry();
      });
    });
  } finally {
    await fh.close();
  }
}

/** Where a member's data starts: after its local header (read here, checked against the file). */
async function memberDataStart(file: string, m: ZipMember, fileSize: number, tensor?: string): Promise<number> {
  if (m.headerOffset + 30 > fileSize) throw new WeightsError(file, tensor, `ZIP member ${m.name}: local header lies beyond the end of the file`);
  const h = await readRange(file, m.headerOffset, 30, tensor);
  const dv = new DataView(h.buffer);
  if (dv.getUint32(0, true) !== 0x04034b50) throw new WeightsError(file, tensor, `ZIP member ${m.name}: bad local header signature`);
  const start = m.headerOffset + 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
  if (start + m.compressedSize > fileSize) {
    throw new WeightsError(file, tensor, `ZIP member ${m.name}: ${m.compressedSize} bytes at offset ${start} run past the end of the file (${fileSize} bytes; truncated?)`);
  }
  return start;
}

/** Bytes [first, first + length) of a member; stored members are read in place, deflated ones inflated. */
export async function readMember(file: string, m: ZipMember, fileSize: number, first: number, length: number, tensor?: string): Promise<Uint8Array> {
  if (m.encrypted) throw new WeightsError(file, tensor, `ZIP member ${m.name} is encrypted`);
  if (first + length > m.size) {
    throw new WeightsError(file, tensor, `ZIP member ${m.name} has ${m.size} bytes; needed bytes ${first}..${first + length}`);
  }
  const start = await memberDataStart(file, m, fileSize, tensor);
  if (m.method === 0) {
    if (m.compressedSize !== m.size) throw new WeightsError(file, tensor, `ZIP member ${m.name}: stored sizes disagree (${m.compressedSize} vs ${m.size})`);
    return readRange(file, start + first, length, tensor);
  }
  if (m.method !== 8) throw new WeightsError(file, tensor, `ZIP member ${m.name}: unsupported compression method ${m.method}`);
  if (m.size > MAX_INFLATE) throw new WeightsError(file, tensor, `ZIP member ${m.name}: compressed member too large to inflate (${m.size} bytes)`);
  let raw: Buffer;
  try {
    raw = inflateRawSync(await readRange(file, start, m.compressedSize, tensor), { maxOutputLength: Math.max(1, m.size) });
  } catch (e) {
    throw new WeightsError(file, tensor, `ZIP member ${m.name}: corrupt deflate data (${(e as Error).message})`, { cause: e });
  }
  if (raw.length !== m.size) throw new WeightsError(file, tensor, `ZIP member ${m.name}: inflated to ${raw.length} bytes, expected ${m.size}`);
  return new Uint8Array(raw.buffer, raw.byteOffset + first, length);
}
