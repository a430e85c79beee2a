// Photos are made smaller on the phone before they are kept and sent: at most 2,560 px on the
// longest edge, as JPEG, the quality stepped down until the file is under 1 MB. A 12-megapixel
// photo of 4 MB or more goes in well under a quarter of the time. The pixels come out upright
// (imageOrientation "from-image") and the file keeps no metadata (a canvas writes none, GPS
// included). A file this browser cannot decode (HEIC in some) is kept as it is: the server
// converts it.

export const LONGEST_EDGE = 2560;
export const TARGET_BYTES = 1024 * 1024;
const QUALITIES = [0.85, 0.78, 0.7, 0.62, 0.55, 0.48, 0.4];

function canvasOf(width, height) {
  if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(width, height);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

function encode(canvas, quality) {
  if (canvas.convertToBlob) return canvas.convertToBlob({ type: "image/jpeg", quality });
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
}

const jpegName = (name) => `${(name || "photo").replace(/\.[^.]*$/, "")}.jpg`;

export async function scalePhoto(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return file;
  }
  try {
    const ratio = Math.min(1, LONGEST_EDGE / Math.max(bitmap.width, bitmap.height));
    // Already small and light: sent as taken (the server removes its metadata).
    if (ratio === 1 && file.type === "image/jpeg" && file.size <= TARGET_BYTES) return file;
    const width = Math.round(bitmap.width * ratio);
    const height = Math.round(bitmap.height * ratio);
    const canvas = canvasOf(width, height);
    const context = canvas.getContext("2d");
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, width, height);
    let blob = null;
    for (const quality of QUALITIES) {
      blob = await encode(canvas, quality);
      if (!blob || blob.size <= TARGET_BYTES) break;
    }
    if (!blob) return file;
    return new File([blob], jpegName(file.name), { type: "image/jpeg", lastModified: file.lastModified });
  } finally {
    bitmap.close();
  }
}
