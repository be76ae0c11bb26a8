/**
 * An 8-bit grayscale raster: one byte per pixel, rows top to bottom, no padding (0 = black, 255 = white).
 * This is what the page source renders and what every OCR engine takes.
 */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
  /** Resolution the page was rendered at; OCR engines pass it on so tesseract need not guess it. */
  dpi?: number;
}

/**
 * The header of a binary PGM (P5) holding `image`. Both tesseract builds read PGM through leptonica,
 * so a page goes to OCR with a 15-byte header instead of a PNG encode (which costs ~100 ms and a zlib
 * pass). A writer that can send two pieces sends this header and then `image.pixels` as they are.
 */
export function pgmHeader(image: GrayImage): Uint8Array {
  const { width, height, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`invalid image size ${width}x${height}`);
  }
  if (pixels.length !== width * height) {
    throw new RangeError(`pixel buffer holds ${pixels.length} bytes, expected ${width}x${height} = ${width * height}`);
  }
  return new TextEncoder().encode(`P5\n${width} ${height}\n255\n`);
}

/** The whole PGM file in one buffer (a copy of the pixels), for readers that take one buffer. */
export function encodePgm(image: GrayImage): Uint8Array {
  const header = pgmHeader(image);
  const out = new Uint8Array(header.length + image.pixels.length);
  out.set(header, 0);
  out.set(image.pixels, header.length);
  return out;
}
