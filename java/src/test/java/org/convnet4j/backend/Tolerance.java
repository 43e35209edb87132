package org.convnet4j.backend;

/**
 * How close an FP32 backend result must be to the float64 reference: {@code |actual - expected| <=
 * atol + rtol * |expected|}, element by element. Each constant says why it is what it is; none was
 * widened to make a failure pass. A wrong tap, index, scale or formula is off by O(1e-2) or more, far
 * outside all of them.
 *
 * <pre>
 *   what                                    atol               rtol    why
 *   data movement (copy, concat, pad,       0                  0       values are moved, never computed
 *     relu, fill, max-pool forward)
 *   one rounded op per element (add,        1e-7               1e-6    half an ulp is 6e-8 relative
 *     accumulate, dropout scale)
 *   a reduction of R terms (conv, dense,    1e-5 * sqrt(R)     1e-4    FP32 sums of O(1) terms err like
 *     pools, batch norm, softmax)                                      sqrt(R) ulps for random signs; blocked,
 *                                                                      split or Winograd orders move it, not
 *                                                                      by 100x
 *   moving statistics (one update)          1e-7 + (1-m) *     1e-5    the batch statistic's reduction error
 *                                             1e-5 * sqrt(R)           enters scaled by (1 - momentum)
 *   a short formula per element (batch-     1e-6               1e-5    a few rounded ops on O(1) values: a few
 *     norm inference, optimizer state                                  ulps of the largest intermediate, compounded
 *     after at most ~10 steps)                                         over the steps
 *   float32 finite differences, eps 1e-2    5e-3               5e-2    truncation O(eps^2 f''') and FP32
 *                                                                      cancellation O(1e-7 |f| / eps)
 * </pre>
 */
record Tolerance(double atol, double rtol) {
    static final Tolerance EXACT = new Tolerance(0, 0);
    static final Tolerance ELEMENTWISE = new Tolerance(1e-7, 1e-6);
    static final Tolerance FORMULA = new Tolerance(1e-6, 1e-5);
    static final Tolerance FINITE_DIFFERENCE = new Tolerance(5e-3, 5e-2);

    /** An FP32 result of a reduction over R elements. */
    static Tolerance reduction(long r) {
        return new Tolerance(1e-5 * Math.sqrt(r), 1e-4);
    }

    /** A moving statistic after one update with this momentum from a batch statistic over R elements. */
    static Tolerance movingStatistic(long r, double momentum) {
        return new Tolerance(1e-7 + (1 - momentum) * 1e-5 * Math.sqrt(r), 1e-5);
    }

    double allowed(double expected) {
        return atol + rtol * Math.abs(expected);
    }

    @Override
    public String toString() {
        return String.format("atol %.1e + rtol %.1e", atol, rtol);
    }
}
