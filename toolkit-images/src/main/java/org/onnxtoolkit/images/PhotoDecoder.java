package org.onnxtoolkit.images;

/**
 * The toolkit's picture decoder: JPEG and PNG files as a person sees them, matching PIL's
 * {@code ImageOps.exif_transpose(Image.open(f)).convert("RGB")}. The image-folder datasets decode every training
 * image with it, and {@code interpolate} every picture it encodes.
 *
 * <p><b>Which decoder.</b> Chosen per file from its markers, by what each decoder is known to read as PIL does:
 * <ul>
 * <li>Apache Commons Imaging ({@link CommonsImagingDecoder}) decodes every PNG, and baseline (SOF0) 8-bit JPEGs
 *     that are grey, or unambiguously YCbCr (JFIF, Adobe transform 1, or component ids 1-2-3) without chroma
 *     subsampling. On those its pixels are within a few levels of PIL's (its IDCT rounds differently).</li>
 * <li>Every other JPEG goes to the JDK's libjpeg behind TwelveMonkeys ({@link ImageIoJpegDecoder}):
 *     progressive (SOF2) and extended-sequential (SOF1) frames, which Commons Imaging refuses; CMYK and YCCK,
 *     which it turns into wrong colours; RGB and other ambiguous three-component files; and chroma-subsampled
 *     ones (4:2:0, 4:2:2, most camera and web JPEGs), where Commons Imaging repeats each chroma sample while
 *     libjpeg, PIL and browsers interpolate, which differs by up to 65 levels along sharp colour edges.</li>
 * <li>A baseline JPEG Commons Imaging cannot decode is tried with libjpeg too; if both fail, Commons
 *     Imaging's reason is reported.</li>
 * <li>Lossless, hierarchical, arithmetic-coded and 12-bit JPEGs are refused with a reason naming the kind, as
 *     is anything other than JPEG or PNG (recognised by content, not by name).</li>
 * </ul>
 *
 * <p><b>Orientation.</b> By default the image is turned as its EXIF orientation says (the first EXIF segment of
 * a JPEG, the {@code eXIf} chunk of a PNG; see {@link ExifOrientation}); {@code withExifOrientation(false)}
 * keeps the stored pixels, as torchvision's {@code read_image} and PIL without {@code exif_transpose} do.
 *
 * <p><b>Recipes.</b> Each image's recipe names the decoder that made it, plus {@code +exif-orientation} when it
 * was turned; an image Commons Imaging decoded and that was not turned has the recipe that decoder always had,
 * so folders whose pixels did not change keep their fingerprints.
 *
 * <p>Images larger than {@link CommonsImagingDecoder#MAX_PIXELS} pixels (or the limit given to the constructor)
 * are refused before decoding. Immutable and thread-safe.
 */
public final class PhotoDecoder implements ImageDecoder {
    /** Appended to the recipe of an image turned by its EXIF orientation. */
    static final String TURNED = "+exif-orientation";

    private final ImageDecoder commons;
    private final boolean applyOrientation;
    /** Images with more pixels than this are refused before decoding. */
    private final long maxPixels;

    /** A decoder that applies EXIF orientations and refuses images of more than the default number of pixels. */
    public PhotoDecoder() {
        this(true);
    }

    /** @param applyOrientation turn images as their EXIF orientation says */
    public PhotoDecoder(boolean applyOrientation) {
        this(applyOrientation, CommonsImagingDecoder.MAX_PIXELS);
    }

    /**
     * @param applyOrientation turn images as their EXIF orientation says
     * @param maxPixels        refuse images of more pixels than this before decoding them; not part of
     *                         {@link #version()}, since it decides which images are decoded, never their pixels
     */
    public PhotoDecoder(boolean applyOrientation, long maxPixels) {
        this(new CommonsImagingDecoder(maxPixels), applyOrientation, maxPixels);
    }

    /** For tests: another decoder in the place of Commons Imaging. */
    PhotoDecoder(ImageDecoder commons, boolean applyOrientation) {
        this(commons, applyOrientation, CommonsImagingDecoder.MAX_PIXELS);
    }

    private PhotoDecoder(ImageDecoder commons, boolean applyOrientation, long maxPixels) {
        this.commons = commons;
        this.applyOrientation = applyOrientation;
        this.maxPixels = maxPixels;
    }

    /**
     * Whether {@code bytes} start as a JPEG or a PNG file does: the formats this decoder reads (it refuses anything
     * else, naming the first bytes).
     */
    public static boolean readsFormatOf(byte[] bytes) {
        return CommonsImagingDecoder.startsWith(bytes, CommonsImagingDecoder.JPEG_SIGNATURE)
                || CommonsImagingDecoder.startsWith(bytes, CommonsImagingDecoder.PNG_SIGNATURE);
    }

    @Override
    public String version() {
        return "PhotoDecoder-v1[" + commons.version() + "," + ImageIoJpegDecoder.VERSION + ",exif="
                + (applyOrientation ? "apply" : "ignore") + "]";
    }

    @Override
    public ImageDecoder withExifOrientation(boolean apply) {
        return apply == applyOrientation ? this : new PhotoDecoder(commons, apply, maxPixels);
    }

    @Override
    public RgbImage decode(byte[] bytes) throws UndecodableImageException {
        return decodeWithRecipe(bytes).image();
    }

    @Override
    public DecodedImage decodeWithRecipe(byte[] bytes) throws UndecodableImageException {
        RgbImage image;
        String recipe;
        int orientation;
        if (CommonsImagingDecoder.startsWith(bytes, CommonsImagingDecoder.JPEG_SIGNATURE)) {
            JpegHeader header = JpegHeader.read(bytes);
            requireDecodable(header);
            if (commonsImagingReadsLikePil(header)) {
                try {
                    image = commons.decode(bytes);
                    recipe = commons.version();
                } catch (UndecodableImageException commonsFailure) {
                    try {
                        image = ImageIoJpegDecoder.decode(bytes, header);
                        recipe = ImageIoJpegDecoder.VERSION;
                    } catch (UndecodableImageException libjpegFailure) {
                        commonsFailure.addSuppressed(libjpegFailure);
                        throw commonsFailure;
                    }
                }
            } else {
                image = ImageIoJpegDecoder.decode(bytes, header);
                recipe = ImageIoJpegDecoder.VERSION;
            }
            orientation = header.exifOrientation();
        } else {
            // PNG, or anything else, which Commons Imaging refuses naming its first bytes.
            image = commons.decode(bytes);
            recipe = commons.version();
            boolean png = CommonsImagingDecoder.startsWith(bytes, CommonsImagingDecoder.PNG_SIGNATURE);
            orientation = png ? pngOrientation(bytes) : 1;
        }
        if (applyOrientation && orientation >= 2 && orientation <= 8) {
            return new DecodedImage(ExifOrientation.apply(image, orientation), recipe + TURNED);
        }
        return new DecodedImage(image, recipe);
    }

    /** Whether Commons Imaging gives this JPEG PIL's pixels (to within IDCT rounding); see the class comment. */
    static boolean commonsImagingReadsLikePil(JpegHeader header) {
        return header.frameMarker() == JpegHeader.SOF0_BASELINE && header.precision() == 8
                && (header.components() == 1 || header.clearlyYcbcr() && !header.subsampled());
    }

    /** Refuses, with the reason, what libjpeg (and so this decoder) does not read. */
    private void requireDecodable(JpegHeader header) throws UndecodableImageException {
        int frame = header.frameMarker();
        if (frame != JpegHeader.SOF0_BASELINE && frame != JpegHeader.SOF1_EXTENDED
                && frame != JpegHeader.SOF2_PROGRESSIVE) {
            throw new UndecodableImageException("a " + header.frameDescription() + " JPEG; only baseline,"
                    + " extended-sequential and progressive JPEGs are read");
        }
        if (header.precision() != 8) {
            throw new UndecodableImageException("a " + header.precision() + "-bit JPEG; only 8-bit JPEGs are read");
        }
        if (header.colourSpace() == null) {
            throw new UndecodableImageException("a JPEG of " + header.components() + " components; 1 (grey),"
                    + " 3 (colour) or 4 (CMYK) are read");
        }
        long pixels = (long) header.width() * header.height();
        if (header.width() < 1 || header.height() < 1 || pixels > maxPixels) {
            throw new UndecodableImageException("its header declares a " + header.width() + "x" + header.height()
                    + " image (at most " + maxPixels + " pixels are decoded)");
        }
    }

    /** The orientation in the first {@code eXIf} chunk, as PIL reads it; 1 when there is none. */
    static int pngOrientation(byte[] bytes) {
        int position = CommonsImagingDecoder.PNG_SIGNATURE.length;
        while (position + 8 <= bytes.length) {
            long length = (bytes[position] & 0xffL) << 24 | (bytes[position + 1] & 0xff) << 16
                    | (bytes[position + 2] & 0xff) << 8 | bytes[position + 3] & 0xff;
            int data = position + 8;
            if (length > bytes.length - data) {
                return 1;
            }
            if (bytes[position + 4] == 'e' && bytes[position + 5] == 'X' && bytes[position + 6] == 'I'
                    && bytes[position + 7] == 'f') {
                return Math.max(1, ExifOrientation.fromTiff(bytes, data, data + (int) length));
            }
            if (bytes[position + 4] == 'I' && bytes[position + 5] == 'E' && bytes[position + 6] == 'N'
                    && bytes[position + 7] == 'D') {
                return 1;
            }
            position = data + (int) length + 4; // data and CRC
        }
        return 1;
    }
}
