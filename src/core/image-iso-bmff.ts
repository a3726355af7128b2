/** AVIF and HEIC/HEIF (ISO-BMFF) headers: the brand names the format, `ispe` gives the size. */
import { Corrupt, OutOfBytes, SizeUnknown, dims, type Bytes, type Dims } from './image-bytes.ts';

const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
const SEQUENCE_BRANDS = new Set(['avis', 'hevc', 'hevx', 'msf1']);

/** The brands of an ISO-BMFF `ftyp` box, if they name an image format. */
export function isoBrands(r: Bytes): { format: 'avif' | 'heic'; animated: boolean } | null {
  if (r.length < 12 || r.ascii(4, 4) !== 'ftyp') return null;
  const size = Math.min(r.u32be(0), r.length);
  const brands = [r.ascii(8, 4)];
  for (let p = 16; p + 4 <= size; p += 4) brands.push(r.ascii(p, 4));
  const animated = SEQUENCE_BRANDS.has(brands[0] ?? '');
  if (brands.some((b) => AVIF_BRANDS.has(b))) return { format: 'avif', animated };
  if (brands.some((b) => HEIF_BRANDS.has(b))) return { format: 'heic', animated };
  return null;
}

/** Boxes whose children are boxes, on the way to a track's sizes. */
const TRACK_CONTAINERS = new Set([
  'moov',
  'moov/trak',
  'moov/trak/mdia',
  'moov/trak/mdia/minf',
  'moov/trak/mdia/minf/stbl',
]);

/**
 * The largest of the image sizes the header states: every `ispe` (image spatial extent) under
 * meta/iprp/ipco (the primary item, or the grid assembling the tiles, is the largest) and, in an
 * image sequence, every track's `tkhd` and visual sample entry. MIAF requires an `ispe` for every
 * image item, so a file stating no size at all is refused (SizeUnknown): its decoded size would
 * only be known once a decoder had allocated it.
 */
export function isoDims(r: Bytes): Dims {
  const best = { width: 0, height: 0 };
  const offer = (w: number, h: number): void => {
    if (w * h > best.width * best.height) Object.assign(best, { width: w, height: h });
  };
  // A still's sizes are all in `meta`; a sequence's tracks may come after the media data.
  const sequence = isoBrands(r)?.animated === true;
  const walk = (start: number, end: number, path: string): number => {
    let p = start;
    while (p < end) {
      let size = r.u32be(p);
      const type = r.ascii(p + 4, 4);
      let header = 8;
      if (size === 1) {
        size = r.u32be(p + 8) * 2 ** 32 + r.u32be(p + 12);
        header = 16;
      } else if (size === 0) {
        size = end - p; // to the end of the file
      }
      if (size < header) throw new Corrupt(`ISO-BMFF box "${type}" has size ${size}`);
      const boxEnd = Math.min(p + size, end);
      const here = path ? `${path}/${type}` : type;
      if (here === 'meta') {
        walk(p + header + 4, boxEnd, here); // a full box: version and flags first
        if (!sequence) return p + size; // the rest of the file is media data
      }
      if (here === 'meta/iprp' || here === 'meta/iprp/ipco') walk(p + header, boxEnd, here);
      if (here === 'meta/iprp/ipco/ispe') offer(r.u32be(p + header + 4), r.u32be(p + header + 8));
      if (TRACK_CONTAINERS.has(here)) walk(p + header, boxEnd, here);
      // Width and height close the track header, as 16.16 fixed point.
      if (here === 'moov/trak/tkhd')
        offer(r.u32be(p + size - 8) >>> 16, r.u32be(p + size - 4) >>> 16);
      if (here === 'moov/trak/mdia/minf/stbl/stsd') walk(p + header + 8, boxEnd, 'stsd');
      // A visual sample entry (av01, hvc1, ...): 16-bit width and height after 24 bytes.
      if (path === 'stsd') offer(r.u16be(p + header + 24), r.u16be(p + header + 26));
      p += size;
    }
    return p;
  };
  const end = walk(0, r.length, '');
  if (best.width) return dims(best.width, best.height);
  // A box reaching past the bytes we have: the header may lie beyond them.
  if (end > r.length) throw new OutOfBytes();
  throw new SizeUnknown('no image size (ispe property) in its header');
}
