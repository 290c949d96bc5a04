/* libjit: kernels on blocked layouts. See libjit.h.
 *
 * An NCHWBc tensor [N, C, H, W] is stored as [N, ceil(C/B), H, W, B]: the B
 * channels of a block are innermost, so one vector register of B floats (B =
 * 16 on AVX-512, 8 on AVX2) holds one pixel of a block, and a convolution
 * computes B output channels with one FMA per input channel and tap (see
 * Layout in ir/Types.h for the weight layouts, ir/LayoutRules.h for which
 * op reads which). The padding lanes of the last block are computed like
 * the others (zero weights and bias), but no kernel reads a padding lane
 * into a real one: a convolution skips them, and pooling and element-wise
 * ops keep lanes apart. So even a NaN or an infinity there stays there.
 *
 * Every kernel is defined for B = 8 and B = 16 (the _b8 and _b16 names), so
 * the lane loops have constant trip counts and vectorize to whole registers.
 * Work is split over planes (n, channel block) [pBegin, pEnd). */
#include "libjit.h"

/* A register tile: RT output columns of RO output blocks, RT * RO vector
 * accumulators. The code generator picks RT per layer (at most MAX_RT, and
 * RT * RO within the target's vector registers); RO is 2 where a group-1
 * convolution has two output blocks left, so each input value broadcast
 * feeds two FMAs, else 1. */
#define MAX_RT 12
#define MAX_RO 2

/* v with `activation` applied to every lane where `apply`: with both
 * constant after inlining, a no-op or the activation's vector form. */
#define DEFINE_ACTIVATE(B)                                                     \
  static inline vf##B activate##B(int apply, cnnc_activation activation,       \
                                  vf##B v) {                                   \
    if (apply)                                                                 \
      for (int i = 0; i < B; ++i)                                              \
        v[i] = activation(v[i]);                                               \
    return v;                                                                  \
  }
DEFINE_ACTIVATE(8)
DEFINE_ACTIVATE(16)

/* Read for a tap that falls outside the image: a zero pixel, so the tiles
 * at the borders run the same branch-free code as the others. */
static const float zeroPixel[16];

/* Where a convolution reads its input:
 *   CONV_BLOCKED    x NCHWBc, weights OIHWBiBo [Mb, Cb, KH, KW, Bi, Bo]
 *   CONV_PLAIN      x plain NCHW, weights OIHWBo [Mb, C, KH, KW, Bo]
 *   CONV_DEPTHWISE  x NCHWBc, weights OIHWBo [Mb, 1, KH, KW, Bo], lane o of
 *                   the output reads lane o of the input only */
enum { CONV_BLOCKED = 0, CONV_PLAIN = 1, CONV_DEPTHWISE = 2 };

/* Weights to bring into the L2 cache while a tile computes: the next
 * unit's (or input channel group's), which would otherwise come from memory
 * when its first tile needs them, at the memory's pace rather than the
 * FMAs' (ResNet-50 streams 100 MB of weights that no cache keeps from one
 * run to the next; its layer4 3x3 convolutions ran 30% slower than with
 * their weights in cache). [p, p + floats) and, for a second output block,
 * [p + next, ...), split into `parts` slices, of which this work takes
 * `part`: a row of a unit its slice, each tile of the row a slice of that,
 * each input channel block of the tile a slice of that. */
typedef struct {
  const float *p;
  int64_t floats, next, part, parts;
  /* Input to bring into L2 as well (not depthwise; 0 for none): the
   * tile's pixels of its last row of taps, this many pixels further on,
   * which the band after this one (one-row planes) or the next output row
   * reads. */
  int64_t inputAhead;
} Prefetch;

/* Slice `slice` of `slices` of f's ranges, a cache line at a time. */
static inline void prefetchSlice(Prefetch f, int64_t slice, int64_t slices) {
  if (!f.p)
    return;
  int64_t begin = f.floats * slice / slices;
  int64_t end = f.floats * (slice + 1) / slices;
  for (int64_t i = begin; i < end; i += 16) {
    __builtin_prefetch(f.p + i, 0, 2);
    if (f.next)
      __builtin_prefetch(f.p + f.next + i, 0, 2);
  }
}

/* One register tile: output columns [ow0, ow0 + RT) of output row `out`
 * (in y), output blocks ob .. ob + RO - 1, accumulated over every input
 * channel and tap; columns from ow0 + t0 on are stored, through the
 * activation after the last group of input channels. `checked` tiles touch
 * the borders: a column whose tap falls outside the image reads zeroPixel
 * for it. Inlined with constant B, mode, RT, RO and checked, the loops
 * over t and j unroll and acc lives in registers. */
#define DEFINE_CONV_TILE(B)                                                    \
  static inline __attribute__((always_inline)) void convTile##B(               \
      const float *restrict x, const float *restrict w,                        \
      const float *restrict bv, float *out, int64_t mode, int64_t n,           \
      int64_t ob, int64_t C, int64_t H, int64_t W, int64_t KH, int64_t KW,     \
      int64_t SW, int64_t DH, int64_t DW, int64_t PL, int64_t ihBase,          \
      int64_t kh0, int64_t kh1, int64_t ow0, int64_t t0, int64_t RT,           \
      int64_t RO, int checked, int64_t outStride, int64_t wNext, float *y,     \
      const float *residual, cnnc_activation activation, int64_t g0,           \
      int64_t g1, int last, Prefetch pf) {                                     \
    vf##B acc[MAX_RO][MAX_RT];                                                 \
    /* The first group of input channels starts from the bias plus the         \
     * residual, the others from the sums stored so far. (Columns before t0    \
     * then hold the tile before's results, which this tile adds to but        \
     * never stores.) The residual is read before the tile's store: the        \
     * result may be written in place over it (passes/MemoryPlan.h). */        \
    const float *res = residual ? residual + (out - y) : 0;                    \
    for (int64_t j = 0; j < RO; ++j)                                           \
      for (int64_t t = 0; t < RT; ++t) {                                       \
        int64_t at = j * outStride + (ow0 + t) * B;                            \
        acc[j][t] = g0 != 0 ? load##B(out + at)                                \
                    : res   ? load##B(bv + j * B) + load##B(res + at)          \
                            : load##B(bv + j * B);                             \
      }                                                                        \
    int64_t Cb = (C + B - 1) / B;                                              \
    /* Input channels [g0, g1) (blocks for CONV_BLOCKED, single ones for       \
     * CONV_PLAIN) outermost, so the weights stream through memory in order. */ \
    for (int64_t u = g0; u < g1; ++u) {                                        \
      /* The tile's slice of the prefetch, spread over its input channels. */  \
      prefetchSlice(pf, pf.part * (g1 - g0) + u - g0, pf.parts * (g1 - g0));   \
      for (int64_t kh = kh0; kh < kh1; ++kh) {                                 \
        int64_t ih = ihBase + kh * DH;                                         \
        int64_t pixelStride = mode == CONV_PLAIN ? 1 : B;                      \
        const float *row =                                                     \
            mode == CONV_PLAIN     ? x + ((n * C + u) * H + ih) * W            \
            : mode == CONV_BLOCKED ? x + ((n * Cb + u) * H + ih) * W * B       \
                                   : x + ((n * Cb + ob) * H + ih) * W * B;     \
        if (pf.inputAhead && kh == kh1 - 1) {                                  \
          const float *ahead =                                                 \
              row + (ow0 * SW - PL + pf.inputAhead) * pixelStride;             \
          for (int64_t i = 0; i < (RT * SW + KW - 1) * pixelStride; i += 16)   \
            __builtin_prefetch(ahead + i, 0, 2);                               \
        }                                                                      \
        for (int64_t kw = 0; kw < KW; ++kw) {                                  \
          int64_t col0 = ow0 * (SW) - PL + kw * DW;                            \
          /* The pixel column t reads, or zeroPixel. */                        \
          const float *px[MAX_RT];                                             \
          for (int64_t t = 0; t < RT; ++t) {                                   \
            int64_t col = col0 + t * SW;                                       \
            px[t] = checked && (col < 0 || col >= W)                           \
                        ? zeroPixel                                            \
                        : row + col * pixelStride;                             \
          }                                                                    \
          if (mode == CONV_BLOCKED) {                                          \
            const float *wk = w + (((ob * Cb + u) * KH + kh) * KW + kw) * B * B; \
            /* Not the padding lanes of the last block: never read. A          \
             * constant B when C is a whole number of blocks, so this loop     \
             * unrolls fully. */                                               \
            int64_t lanes = C % B == 0 ? B : min64(B, C - u * B);              \
            for (int64_t ic = 0; ic < lanes; ++ic) {                           \
              vf##B w0 = load##B(wk + ic * B);                                 \
              vf##B w1 = RO > 1 ? load##B(wk + wNext + ic * B) : w0;           \
              for (int64_t t = 0; t < RT; ++t) {                               \
                float xv = px[t][ic];                                          \
                acc[0][t] += xv * w0;                                          \
                if (RO > 1)                                                    \
                  acc[1][t] += xv * w1;                                        \
              }                                                                \
            }                                                                  \
          } else if (mode == CONV_PLAIN) {                                     \
            const float *wk = w + (((ob * C + u) * KH + kh) * KW + kw) * B;    \
            vf##B w0 = load##B(wk);                                            \
            vf##B w1 = RO > 1 ? load##B(wk + wNext) : w0;                      \
            for (int64_t t = 0; t < RT; ++t) {                                 \
              float xv = px[t][0];                                             \
              acc[0][t] += xv * w0;                                            \
              if (RO > 1)                                                      \
                acc[1][t] += xv * w1;                                          \
            }                                                                  \
          } else {                                                             \
            vf##B w0 = load##B(w + ((ob * KH + kh) * KW + kw) * B);            \
            for (int64_t t = 0; t < RT; ++t)                                   \
              acc[0][t] += load##B(px[t]) * w0;                                \
          }                                                                    \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    /* The last group of input channels stores the results; columns before     \
     * t0 belong to the tile before, which has stored them already. */         \
    for (int64_t j = 0; j < RO; ++j)                                           \
      for (int64_t t = 0; t < RT; ++t)                                         \
        if (t >= t0)                                                           \
          store##B(out + j * outStride + (ow0 + t) * B,                        \
                   activate##B(activation && last, activation, acc[j][t]));    \
  }

/* Output columns [band0, band1) of row oh of work unit u (below), in
 * register tiles of RT columns; the last tile may reach back before band0
 * (into columns already stored) rather than be narrower. */
#define DEFINE_CONV_BAND(B)                                                    \
  static inline __attribute__((always_inline)) void convBand##B(               \
      const float *restrict x, const float *restrict w,                        \
      const float *restrict bias, float *y,                                    \
      const float *residual, cnnc_activation activation, int64_t mode,         \
      int64_t C, int64_t H, int64_t W, int64_t M, int64_t OH, int64_t OW,      \
      int64_t KH, int64_t KW, int64_t SH, int64_t SW, int64_t DH, int64_t DW,  \
      int64_t PT, int64_t PL, int64_t RT, int64_t g0, int64_t g1, int last,    \
      int64_t u, int64_t oh, int64_t band0, int64_t band1, Prefetch pf) {      \
    int64_t Mb = (M + B - 1) / B, Cb = (C + B - 1) / B;                        \
    int64_t perUnit = mode == CONV_DEPTHWISE ? 1 : MAX_RO;                     \
    int64_t unitsPerImage = (Mb + perUnit - 1) / perUnit;                      \
    int64_t n = u / unitsPerImage, ob = u % unitsPerImage * perUnit;           \
    /* One block alone: depthwise, or the last of an odd number (never for     \
     * an even Mb, so that copy folds away). */                                \
    int lone = perUnit == 1 || (Mb % 2 == 1 && ob == Mb - 1);                  \
    /* Columns with every tap inside: ow * SW - PL in [0, W - (KW-1)*DW);      \
     * without padding no tile needs checks, and the checked copy folds. */    \
    int64_t inner0, inner1;                                                    \
    validRange(OW, W - (KW - 1) * DW, SW, -PL, &inner0, &inner1);              \
    int borders = inner0 > 0 || inner1 < OW;                                   \
    /* From one output block's weights to the next one's. */                   \
    int64_t wNext = mode == CONV_BLOCKED ? Cb * KH * KW * B * B                \
                                         : C * KH * KW * B;                    \
    float bv[MAX_RO * B];                                                      \
    for (int64_t o = 0; o < MAX_RO * B; ++o)                                   \
      bv[o] = bias && ob * B + o < M ? bias[ob * B + o] : 0.0f;                \
    int64_t kh0, kh1, ihBase = oh * SH - PT;                                   \
    validRange(KH, H, DH, ihBase, &kh0, &kh1);                                 \
    float *out = y + ((n * Mb + ob) * OH + oh) * OW * B;                       \
    int64_t plane = OH * OW * B;                                               \
    int64_t tiles = (band1 - band0 + RT - 1) / RT;                             \
    for (int64_t ow = band0, tile = 0; ow < band1; ++tile) {                   \
      int64_t start = min64(ow, band1 - RT), t0 = ow - start;                  \
      int checked = borders && (start < inner0 || start + RT > inner1);        \
      Prefetch tilePf = pf;                                                    \
      tilePf.part = pf.part * tiles + tile;                                    \
      tilePf.parts = pf.parts * tiles;                                         \
      /* Constant RO and checked in each call, for the inliner. */             \
      if (!lone && checked)                                                    \
        convTile##B(x, w, bv, out, mode, n, ob, C, H, W, KH, KW, SW, DH, DW,   \
                    PL, ihBase, kh0, kh1, start, t0, RT, 2, 1, plane, wNext,   \
                    y, residual, activation, g0, g1, last, tilePf);            \
      else if (!lone)                                                          \
        convTile##B(x, w, bv, out, mode, n, ob, C, H, W, KH, KW, SW, DH, DW,   \
                    PL, ihBase, kh0, kh1, start, t0, RT, 2, 0, plane, wNext,   \
                    y, residual, activation, g0, g1, last, tilePf);            \
      else if (checked)                                                        \
        convTile##B(x, w, bv, out, mode, n, ob, C, H, W, KH, KW, SW, DH, DW,   \
                    PL, ihBase, kh0, kh1, start, t0, RT, 1, 1, plane, wNext,   \
                    y, residual, activation, g0, g1, last, tilePf);            \
      else                                                                     \
        convTile##B(x, w, bv, out, mode, n, ob, C, H, W, KH, KW, SW, DH, DW,   \
                    PL, ihBase, kh0, kh1, start, t0, RT, 1, 0, plane, wNext,   \
                    y, residual, activation, g0, g1, last, tilePf);            \
      ow = start + RT;                                                         \
    }                                                                          \
  }

/* Work items [i, end) of units x parts, parts outermost (item i is unit
 * i % units of part i / units), taken as rectangles: the first one that
 * starts at item i, as units [*u0, *u1) of parts [*p0, *p1): the rest of a
 * first part, or whole parts, or the start of a last part. Returns the item
 * after it. */
static inline int64_t nextRect(int64_t i, int64_t end, int64_t units,
                               int64_t *u0, int64_t *u1, int64_t *p0,
                               int64_t *p1) {
  int64_t p = i / units;
  *u0 = i % units;
  *p0 = p;
  /* Whole parts from here, else the units of part p in the range. */
  int64_t whole = *u0 == 0 ? (end - i) / units : 0;
  *u1 = whole > 0 ? units : min64(units, *u0 + end - i);
  *p1 = p + max64(whole, 1);
  return *u1 == units ? *p1 * units : p * units + *u1;
}

/* Units [u0, u1) over parts [p0, p1) (see below): output rows, or for a
 * plane of one row output columns, computed in the loop order `band`
 * chooses, with input channels in groups of `group`. */
#define DEFINE_CONV_RECT(B)                                                    \
  static void convRect##B(                                                     \
      const float *restrict x, const float *restrict w,                        \
      const float *restrict bias, float *y,                                    \
      const float *residual, cnnc_activation activation, int64_t C, int64_t H, \
      int64_t W, int64_t M, int64_t OH, int64_t OW, int64_t KH, int64_t KW,    \
      int64_t SH, int64_t SW, int64_t DH, int64_t DW, int64_t PT, int64_t PL,  \
      int64_t mode, int64_t RT, int64_t band, int64_t group, int64_t parts,    \
      int64_t u0, int64_t u1, int64_t p0, int64_t p1) {                        \
    /* A part of a one-row plane is whole tiles, so that only the plane's      \
     * last tile overlaps the one before it however the parts are run. */      \
    int64_t byRows = OH >= parts;                                              \
    int64_t partColumns = ((OW + RT - 1) / RT + parts - 1) / parts * RT;       \
    int64_t oh0 = byRows ? OH * p0 / parts : 0;                                \
    int64_t oh1 = byRows ? OH * p1 / parts : OH;                               \
    int64_t ow0 = byRows ? 0 : min64(OW, p0 * partColumns);                    \
    int64_t ow1 = byRows ? OW : min64(OW, p1 * partColumns);                   \
    /* Input channels in groups of `group` (0: one group), each run over a     \
     * unit's every row (or, bands outermost, the band's every tile) before    \
     * the next, so that the group's weights stay in L1 meanwhile. */          \
    int64_t inputUnits = mode == CONV_BLOCKED ? (C + B - 1) / B                \
                         : mode == CONV_PLAIN ? C                              \
                                              : 1;                             \
    if (group <= 0 || group > inputUnits)                                      \
      group = inputUnits;                                                      \
    /* Units outermost, the weights of the next unit or input channel          \
     * group (not depthwise: too few to matter) are prefetched while this      \
     * one computes, each row's band taking a slice of them. */                \
    int64_t Mb = (M + B - 1) / B;                                              \
    int64_t unitsPerImage = (Mb + MAX_RO - 1) / MAX_RO;                        \
    int64_t tapFloats = KH * KW * B * (mode == CONV_BLOCKED ? B : 1);          \
    int64_t blockFloats = inputUnits * tapFloats;                              \
    Prefetch none = {0, 0, 0, 0, 1, 0};                                        \
    if (band > 0) {                                                            \
      /* Images outermost: the units in the band loop share the band's         \
       * input only within an image, and the first of them brings in the       \
       * input of that image's next band. */                                   \
      for (int64_t i0 = u0, i1; i0 < u1; i0 = i1) {                            \
        i1 = min64(u1, (i0 / unitsPerImage + 1) * unitsPerImage);              \
        for (int64_t oh = oh0; oh < oh1; ++oh)                                 \
          for (int64_t band0 = ow0; band0 < ow1; band0 += band) {              \
            /* The band's first unit brings in the input the next band (in     \
             * a one-row plane) or the next output row reads for the first     \
             * time: from memory, where the input is too large for the         \
             * caches, at the FMAs' pace rather than the memory's. */          \
            Prefetch input = none;                                             \
            if (OH == 1 && band0 + band < ow1)                                 \
              input.inputAhead = band * SW;                                    \
            else if (OH > 1 && oh + 1 < oh1)                                   \
              input.inputAhead = SH * W;                                       \
            for (int64_t u = i0; u < i1; ++u)                                  \
              for (int64_t g0 = 0; g0 < inputUnits; g0 += group)               \
                convBand##B(x, w, bias, y, residual, activation, mode, C, H,   \
                            W, M, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, RT,  \
                            g0, min64(inputUnits, g0 + group),                 \
                            g0 + group >= inputUnits, u, oh, band0,            \
                            min64(ow1, band0 + band), u == i0 ? input : none); \
          }                                                                    \
      }                                                                        \
    } else {                                                                   \
      for (int64_t u = u0; u < u1; ++u)                                        \
        for (int64_t g0 = 0; g0 < inputUnits; g0 += group) {                   \
          /* The unit and group after this one. */                             \
          int64_t nu = g0 + group < inputUnits ? u : u + 1;                    \
          int64_t ng = g0 + group < inputUnits ? g0 + group : 0;               \
          int64_t nob = nu % unitsPerImage * MAX_RO;                           \
          Prefetch pf = none;                                                  \
          if (mode != CONV_DEPTHWISE && nu < u1) {                             \
            pf.p = w + nob * blockFloats + ng * tapFloats;                     \
            pf.floats = min64(group, inputUnits - ng) * tapFloats;             \
            pf.next = nob + 1 < Mb ? blockFloats : 0;                          \
            pf.parts = oh1 - oh0;                                              \
          }                                                                    \
          for (int64_t oh = oh0; oh < oh1; ++oh) {                             \
            pf.part = oh - oh0;                                                \
            convBand##B(x, w, bias, y, residual, activation, mode, C, H, W, M, \
                        OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, RT, g0,        \
                        min64(inputUnits, g0 + group),                         \
                        g0 + group >= inputUnits, u, oh, ow0, ow1, pf);        \
          }                                                                    \
        }                                                                      \
    }                                                                          \
  }

/* A 2-D convolution with an NCHWBc result [N, M, OH, OW], over work items
 * [iBegin, iEnd). A unit is a pair of output blocks (n, ob, ob + 1) of a
 * group-1 convolution (the last one alone when there is an odd number), or
 * one block (n, ob) of a depthwise one; item i is part i / units of unit
 * i % units. A part is a range of output rows or, for a plane of one row,
 * of whole register tiles of columns. Parts
 * outermost, the threads' shares of the items are stripes of the image:
 * where the code generator splits consecutive layers into parts, each
 * thread reads rows of the input that it wrote itself (the thread pool
 * gives a thread the same chunk of every loop), and a layer with fewer
 * units than threads (MobileNetV2's 112x112 layers have one or two) still
 * uses every thread. The items are run as at most three rectangles of
 * units x parts (the rest of a first part, whole parts, the start of a last
 * part), so that a thread's whole parts run in the loop order below rather
 * than part by part. The register tile has RT columns (RT <= OW and
 * MAX_RT) and the activation, when not NULL, goes over the accumulators
 * before they are stored (cnnc_activation in libjit.h; the tiles add the
 * residual to their accumulators too, so that y may be written in place
 * over it and is not restrict); both are the code generator's.
 * A 1x1 convolution (Gemm1x1) is the case KH = KW = 1; with stride 1 the
 * code generator passes the whole plane as one row.
 *
 * The loop order is the code generator's too (band), chosen by what
 * would otherwise be loaded from memory again and again: units outermost
 * keeps a unit's weights in cache while it reads the whole input, which
 * suits small images and large weights (a 3x3 convolution of 14x14 x 256
 * channels reads 147 KB of weights per unit); bands of columns outermost,
 * every unit computing a band of `band` columns (a multiple of RT) before
 * the next one starts, keeps the band's input in cache while the weights
 * stream, which suits large images (a 1x1 convolution of 56x56 x 256
 * channels would read 3 MB per unit). band 0 means units outermost. */
#define DEFINE_CONV_NCHWC(B)                                                   \
  DEFINE_CONV_TILE(B)                                                          \
  DEFINE_CONV_BAND(B)                                                          \
  DEFINE_CONV_RECT(B)                                                          \
  KERNEL void cnnc_conv_nchwc_b##B##_f32(                                      \
      const float *restrict x, const float *restrict w,                        \
      const float *restrict bias, float *y,                                    \
      const float *residual, cnnc_activation activation, int64_t C, int64_t H, \
      int64_t W, int64_t M, int64_t OH, int64_t OW, int64_t KH, int64_t KW,    \
      int64_t SH, int64_t SW, int64_t DH, int64_t DW, int64_t PT, int64_t PL,  \
      int64_t mode, int64_t RT, int64_t band, int64_t group, int64_t units,    \
      int64_t parts, int64_t iBegin, int64_t iEnd) {                           \
    RT = min64(min64(RT, OW), MAX_RT);                                         \
    for (int64_t i = iBegin, u0, u1, p0, p1; i < iEnd;) {                      \
      i = nextRect(i, iEnd, units, &u0, &u1, &p0, &p1);                        \
      convRect##B(x, w, bias, y, residual, activation, C, H, W, M, OH, OW, KH, \
                  KW, SH, SW, DH, DW, PT, PL, mode, RT, band, group, parts,    \
                  u0, u1, p0, p1);                                             \
    }                                                                          \
  }

DEFINE_CONV_NCHWC(8)
DEFINE_CONV_NCHWC(16)

/* A register tile of one output row of a unit's depthwise convolution
 * (cnnc_expand_dw_nchwc below): columns [start, start + RT) of `out`, of
 * which those from start + t0 on are stored; rows[kh] is the expanded row
 * tap kh reads (taps [kh0, kh1) are inside the image), wk the block's
 * weights [KH, KW, B], bv its bias. `checked` tiles touch the side borders
 * and read zeroPixel there. */
#define DEFINE_DW_ROW(B)                                                       \
  static inline __attribute__((always_inline)) void dwTile##B(                 \
      const float *const *rows, const float *restrict wk, const float *bv,     \
      float *out, int64_t W, int64_t KW, int64_t SW, int64_t PL, int64_t kh0,  \
      int64_t kh1, int64_t start, int64_t t0, int64_t RT, int checked,         \
      cnnc_activation activation) {                                            \
    vf##B acc[MAX_RT];                                                         \
    for (int64_t t = 0; t < RT; ++t)                                           \
      acc[t] = load##B(bv);                                                    \
    for (int64_t kh = kh0; kh < kh1; ++kh)                                     \
      for (int64_t kw = 0; kw < KW; ++kw) {                                    \
        vf##B wv = load##B(wk + kh * KW * B + kw * B);                         \
        for (int64_t t = 0; t < RT; ++t) {                                     \
          int64_t col = (start + t) * SW - PL + kw;                            \
          const float *px = checked && (col < 0 || col >= W)                   \
                                ? zeroPixel                                    \
                                : rows[kh] + col * B;                          \
          acc[t] += load##B(px) * wv;                                          \
        }                                                                      \
      }                                                                        \
    /* Columns before t0 are the tile before's, stored already. */             \
    for (int64_t t = t0; t < RT; ++t)                                          \
      store##B(out + (start + t) * B,                                          \
               activate##B(activation != 0, activation, acc[t]));              \
  }

/* cnnc.ExpandDepthwise (Ops.def) with NCHWBc x [N, C, H, W] and y [N, E,
 * OH, OW]: the depthwise convolution (KHxKW, strides SH, SW, pads PT, PL,
 * no dilation) of the 1x1 expansion of x, without the expansion in
 * memory. A unit is a pair of expanded blocks (the last alone for an odd
 * count); its rows of the expansion are computed, as the output rows need
 * them, into a ring of KH rows (row ih in slot ih % KH, which the code
 * generator keeps within 64 KiB of stack): each expanded row once per run
 * of consecutive output rows, with the expansion's register tiles (RT
 * columns) and activation, then the depthwise row from the ring with its
 * own (RTd columns) and activation. Work items: parts (runs of output rows) of
 * units, parts outermost, as cnnc_conv_nchwc takes them; a run that starts
 * below the first row computes the KH - SH rows above it again. */
#define DEFINE_EXPAND_DW(B)                                                    \
  DEFINE_DW_ROW(B)                                                             \
  static void expandDwRows##B(                                                 \
      const float *restrict x, const float *restrict we,                       \
      const float *restrict be, const float *restrict wd,                      \
      const float *restrict bd, float *restrict y,                             \
      cnnc_activation expandActivation, cnnc_activation activation, int64_t C, \
      int64_t H, int64_t W, int64_t E, int64_t OH, int64_t OW, int64_t KH,     \
      int64_t KW, int64_t SH, int64_t SW, int64_t PT, int64_t PL, int64_t RT,  \
      int64_t RTd, int64_t u, int64_t oh0, int64_t oh1) {                      \
    int64_t Cb = (C + B - 1) / B, Eb = (E + B - 1) / B;                        \
    int64_t unitsPerImage = (Eb + 1) / 2;                                      \
    int64_t n = u / unitsPerImage, ob = u % unitsPerImage * 2;                 \
    int64_t blocks = min64(2, Eb - ob);                                        \
    /* The unit's channels (the expansion's M) and its slice of the            \
     * operands: its output blocks' expansion weights and biases. */           \
    int64_t channels = min64(blocks * B, E - ob * B);                          \
    const float *xImage = x + n * Cb * H * W * B;                              \
    const float *weUnit = we + ob * Cb * B * B;                                \
    const float *beUnit = be ? be + ob * B : 0;                                \
    float ring[KH * 2 * W * B];                                                \
    Prefetch none = {0, 0, 0, 0, 1, 0};                                        \
    int64_t inner0, inner1;                                                    \
    validRange(OW, W - (KW - 1), SW, -PL, &inner0, &inner1);                   \
    /* The first expanded row the ring does not hold yet. */                   \
    int64_t next = max64(0, oh0 * SH - PT);                                    \
    for (int64_t oh = oh0; oh < oh1; ++oh) {                                   \
      int64_t ihBase = oh * SH - PT, kh0, kh1;                                 \
      validRange(KH, H, 1, ihBase, &kh0, &kh1);                                \
      for (; next < ihBase + kh1; ++next)                                      \
        convBand##B(xImage + next * W * B, weUnit, beUnit,                     \
                    ring + next % KH * 2 * W * B, 0, expandActivation,         \
                    CONV_BLOCKED, C, H, W, channels, 1, W, 1, 1, 1, 1, 1, 1,   \
                    0, 0, RT, 0, Cb, 1, 0, 0, 0, W, none);                     \
      for (int64_t j = 0; j < blocks; ++j) {                                   \
        const float *rows[KH];                                                 \
        for (int64_t kh = kh0; kh < kh1; ++kh)                                 \
          rows[kh] = ring + ((ihBase + kh) % KH * 2 + j) * W * B;              \
        float bv[B];                                                           \
        for (int64_t o = 0; o < B; ++o)                                        \
          bv[o] = bd && (ob + j) * B + o < E ? bd[(ob + j) * B + o] : 0.0f;    \
        const float *wk = wd + (ob + j) * KH * KW * B;                         \
        float *out = y + ((n * Eb + ob + j) * OH + oh) * OW * B;               \
        for (int64_t ow = 0; ow < OW;) {                                       \
          int64_t start = min64(ow, OW - RTd), t0 = ow - start;                \
          if (start < inner0 || start + RTd > inner1)                          \
            dwTile##B(rows, wk, bv, out, W, KW, SW, PL, kh0, kh1, start, t0,   \
                      RTd, 1, activation);                                     \
          else                                                                 \
            dwTile##B(rows, wk, bv, out, W, KW, SW, PL, kh0, kh1, start, t0,   \
                      RTd, 0, activation);                                     \
          ow = start + RTd;                                                    \
        }                                                                      \
      }                                                                        \
    }                                                                          \
  }                                                                            \
  KERNEL void cnnc_expand_dw_nchwc_b##B##_f32(                                 \
      const float *restrict x, const float *restrict we,                       \
      const float *restrict be, const float *restrict wd,                      \
      const float *restrict bd, float *restrict y,                             \
      cnnc_activation expandActivation, cnnc_activation activation, int64_t C, \
      int64_t H, int64_t W, int64_t E, int64_t OH, int64_t OW, int64_t KH,     \
      int64_t KW, int64_t SH, int64_t SW, int64_t PT, int64_t PL, int64_t RT,  \
      int64_t RTd, int64_t units, int64_t parts, int64_t iBegin,               \
      int64_t iEnd) {                                                          \
    RT = min64(min64(RT, W), MAX_RT);                                          \
    RTd = min64(min64(RTd, OW), MAX_RT);                                       \
    for (int64_t i = iBegin, u0, u1, p0, p1; i < iEnd;) {                      \
      i = nextRect(i, iEnd, units, &u0, &u1, &p0, &p1);                        \
      for (int64_t u = u0; u < u1; ++u)                                        \
        expandDwRows##B(x, we, be, wd, bd, y, expandActivation, activation, C, \
                        H, W, E, OH, OW, KH, KW, SH, SW, PT, PL, RT, RTd, u,   \
                        OH * p0 / parts, OH * p1 / parts);                     \
    }                                                                          \
  }

DEFINE_EXPAND_DW(8)
DEFINE_EXPAND_DW(16)

/* One element `e` into a pool's accumulator `a`: the max, a NaN winning
 * (kind 0), or the sum (kind 1). */
static inline float poolStep(int64_t kind, float a, float e) {
  return kind == 0 ? (e > a || e != e ? e : a) : a + e;
}

/* Max (kind 0) or average (kind 1) pooling of NCHWBc planes (n, channel
 * block), B lanes at once, with the rules of cnnc_pool_f32 (pool.c):
 * padding never wins a max and adds nothing to a sum, a NaN wins a max, an
 * average divides by the taps inside the image or, with countPad, inside
 * the padded image. Work items [iBegin, iEnd): output row i / planes of
 * plane i % planes, rows outermost, so that the threads' shares are
 * stripes of the image like those of the convolutions around it. */
#define DEFINE_POOL_NCHWC(B)                                                   \
  KERNEL void cnnc_pool_nchwc_b##B##_f32(                                      \
      const float *restrict x, float *restrict y, int64_t kind, int64_t H,     \
      int64_t W, int64_t OH, int64_t OW, int64_t KH, int64_t KW, int64_t SH,   \
      int64_t SW, int64_t DH, int64_t DW, int64_t PT, int64_t PL, int64_t PB,  \
      int64_t PR, int64_t countPad, int64_t planes, int64_t iBegin,            \
      int64_t iEnd) {                                                          \
    for (int64_t i = iBegin; i < iEnd; ++i) {                                  \
      int64_t p = i % planes, oh = i / planes;                                 \
      const float *in = x + p * H * W * B;                                     \
      int64_t kh0, kh1, hPad0, hPad1;                                          \
      validRange(KH, H, DH, oh * SH - PT, &kh0, &kh1);                         \
      validRange(KH, PT + H + PB, DH, oh * SH, &hPad0, &hPad1);                \
      for (int64_t ow = 0; ow < OW; ++ow) {                                    \
        int64_t kw0, kw1, wPad0, wPad1;                                        \
        validRange(KW, W, DW, ow * SW - PL, &kw0, &kw1);                       \
        validRange(KW, PL + W + PR, DW, ow * SW, &wPad0, &wPad1);              \
        float acc[B];                                                          \
        for (int64_t o = 0; o < B; ++o)                                        \
          acc[o] = kind == 0 ? -INFINITY : 0.0f;                               \
        for (int64_t kh = kh0; kh < kh1; ++kh)                                 \
          for (int64_t kw = kw0; kw < kw1; ++kw) {                             \
            const float *v = in + ((oh * SH - PT + kh * DH) * W +              \
                                   ow * SW - PL + kw * DW) * B;                \
            for (int64_t o = 0; o < B; ++o)                                    \
              acc[o] = poolStep(kind, acc[o], v[o]);                           \
          }                                                                    \
        if (kind == 1) {                                                       \
          float count = (float)(countPad ? (hPad1 - hPad0) * (wPad1 - wPad0)   \
                                         : (kh1 - kh0) * (kw1 - kw0));         \
          for (int64_t o = 0; o < B; ++o)                                      \
            acc[o] /= count;                                                   \
        }                                                                      \
        float *out = y + ((p * OH + oh) * OW + ow) * B;                        \
        for (int64_t o = 0; o < B; ++o)                                        \
          out[o] = acc[o];                                                     \
      }                                                                        \
    }                                                                          \
  }

DEFINE_POOL_NCHWC(8)
DEFINE_POOL_NCHWC(16)

/* GlobalMaxPool (kind 0) or GlobalAveragePool (kind 1) of NCHWBc planes
 * [pBegin, pEnd) of `pixels` pixels each; the result is NCHWBc [N, C, 1, 1]. */
#define DEFINE_GLOBAL_POOL_NCHWC(B)                                            \
  KERNEL void cnnc_global_pool_nchwc_b##B##_f32(                               \
      const float *restrict x, float *restrict y, int64_t kind,                \
      int64_t pixels, int64_t pBegin, int64_t pEnd) {                          \
    for (int64_t p = pBegin; p < pEnd; ++p) {                                  \
      const float *in = x + p * pixels * B;                                    \
      float acc[B];                                                            \
      for (int64_t o = 0; o < B; ++o)                                          \
        acc[o] = kind == 0 ? -INFINITY : 0.0f;                                 \
      for (int64_t i = 0; i < pixels; ++i)                                     \
        for (int64_t o = 0; o < B; ++o)                                        \
          acc[o] = poolStep(kind, acc[o], in[i * B + o]);                      \
      for (int64_t o = 0; o < B; ++o)                                          \
        y[p * B + o] = kind == 0 ? acc[o] : acc[o] / (float)pixels;            \
    }                                                                          \
  }

DEFINE_GLOBAL_POOL_NCHWC(8)
DEFINE_GLOBAL_POOL_NCHWC(16)

/* Reorder between plain [N, C, R] (R the product of the dims after C) and
 * NCHWBc [N, ceil(C/B), R, B]: toBlocked 1 writes the blocked form, zero in
 * the padding lanes; 0 reads it back. Work items [iBegin, iEnd): part i /
 * planes (of `parts` equal runs of R, stripes of rows of an image) of plane
 * i % planes (n, channel block), parts outermost like the convolutions'
 * items, so that a thread moves the rows it wrote or will read. */
#define DEFINE_REORDER_NCHWC(B)                                                \
  KERNEL void cnnc_reorder_nchwc_b##B##_f32(                                   \
      const float *restrict x, float *restrict y, int64_t C, int64_t R,        \
      int64_t toBlocked, int64_t planes, int64_t parts, int64_t iBegin,        \
      int64_t iEnd) {                                                          \
    int64_t Cb = (C + B - 1) / B;                                              \
    for (int64_t i = iBegin; i < iEnd; ++i) {                                  \
      int64_t p = i % planes, q = i / planes;                                  \
      int64_t r0 = R * q / parts, r1 = R * (q + 1) / parts;                    \
      int64_t n = p / Cb, c0 = p % Cb * B, lanes = min64(B, C - c0);           \
      if (toBlocked) {                                                         \
        const float *src = x + (n * C + c0) * R;                               \
        float *dst = y + p * R * B;                                            \
        for (int64_t r = r0; r < r1; ++r)                                      \
          for (int64_t o = 0; o < B; ++o)                                      \
            dst[r * B + o] = o < lanes ? src[o * R + r] : 0.0f;                \
      } else {                                                                 \
        const float *src = x + p * R * B;                                      \
        float *dst = y + (n * C + c0) * R;                                     \
        for (int64_t o = 0; o < lanes; ++o)                                    \
          for (int64_t r = r0; r < r1; ++r)                                    \
            dst[o * R + r] = src[r * B + o];                                   \
      }                                                                        \
    }                                                                          \
  }

DEFINE_REORDER_NCHWC(8)
DEFINE_REORDER_NCHWC(16)
