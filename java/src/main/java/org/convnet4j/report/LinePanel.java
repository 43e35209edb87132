package org.convnet4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.util.List;

/**
 * One line chart: title, legend under it, framed plot with gridlines and tick labels, and one line per
 * series. NaN values are skipped, so a metric measured on some epochs only still draws.
 */
final class LinePanel {
    /** One line; y[i] belongs to x[i] of the panel, NaN where not measured. */
    record Series(String name, Color color, double[] y) {
        boolean hasData() {
            for (double v : y) {
                if (Double.isFinite(v)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Color GRID = new Color(225, 225, 225);
    private static final Color INK = new Color(40, 40, 40);
    /** Beyond this many points, markers would merge into a thick line. */
    private static final int MAX_MARKED_POINTS = 40;

    private final Graphics2D g;
    private final Rectangle plot;
    private double xMin;
    private double xMax;
    private double yMin;
    private double yMax;

    private LinePanel(Graphics2D g, Rectangle panel) {
        this.g = g;
        // Room on the left for tick labels and the rotated y label, on top for title and legend, below
        // for tick labels and the x label.
        this.plot = new Rectangle(panel.x + 78, panel.y + 70, panel.width - 100, panel.height - 70 - 56);
    }

    static void draw(Graphics2D g, Rectangle panel, String title, String xLabel, String yLabel, double[] x,
                     List<Series> series) {
        LinePanel p = new LinePanel(g, panel);
        p.ranges(x, series);
        p.centered(title, TITLE, panel.x + panel.width / 2, panel.y + 26);
        p.legend(series, panel.x + panel.width / 2, panel.y + 52);
        p.axes(xLabel, yLabel);
        for (Series s : series) {
            p.line(x, s);
        }
    }

    private void ranges(double[] x, List<Series> series) {
        if (x.length == 0) {
            xMin = 0;
            xMax = 1;
        } else {
            double first = x[0];
            double last = x[x.length - 1];
            // Half an epoch either side of a lone epoch; otherwise a margin so end markers clear the frame.
            double pad = x.length == 1 ? 0.5 : Math.max(0.1, 0.04 * (last - first));
            xMin = first - pad;
            xMax = last + pad;
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : s.y) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        } else if (lo == hi) {
            double half = lo == 0 ? 0.5 : Math.abs(lo) * 0.1;
            lo -= half;
            hi += half;
        }
        double pad = 0.06 * (hi - lo);
        yMin = lo - pad;
        yMax = hi + pad;
    }

    private void legend(List<Series> series, int centerX, int baseline) {
        g.setFont(TEXT);
        FontMetrics fm = g.getFontMetrics();
        int sample = 26;
        int width = 0;
        for (Series s : series) {
            if (s.hasData()) {
                width += sample + 6 + fm.stringWidth(s.name) + 22;
            }
        }
        int cx = centerX - (width - 22) / 2;
        for (Series s : series) {
            if (!s.hasData()) {
                continue;
            }
            g.setColor(s.color);
            g.setStroke(new BasicStroke(2.5f));
            int mid = baseline - fm.getAscent() / 2 + 1;
            g.drawLine(cx, mid, cx + sample, mid);
            g.fill(marker(cx + sample / 2.0, mid));
            g.setColor(INK);
            g.drawString(s.name, cx + sample + 6, baseline);
            cx += sample + 6 + fm.stringWidth(s.name) + 22;
        }
    }

    private void axes(String xLabel, String yLabel) {
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        Ticks yTicks = Ticks.between(yMin, yMax, 6);
        for (double v : yTicks.values) {
            int py = py(v);
            g.setColor(GRID);
            g.drawLine(plot.x, py, plot.x + plot.width, py);
            g.setColor(INK);
            g.drawLine(plot.x - 5, py, plot.x, py);
            String label = yTicks.label(v);
            g.drawString(label, plot.x - 8 - fm.stringWidth(label), py + fm.getAscent() / 2 - 1);
        }
        Ticks xTicks = Ticks.integers(xMin, xMax, 8);
        for (double v : xTicks.values) {
            int px = px(v);
            g.setColor(GRID);
            g.drawLine(px, plot.y, px, plot.y + plot.height);
            g.setColor(INK);
            g.drawLine(px, plot.y + plot.height, px, plot.y + plot.height + 5);
            centered(xTicks.label(v), TICK, px, plot.y + plot.height + 8 + fm.getAscent());
        }
        g.setColor(INK);
        g.drawRect(plot.x, plot.y, plot.width, plot.height);
        centered(xLabel, TEXT, plot.x + plot.width / 2, plot.y + plot.height + 44);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, plot.x - 62, plot.y + plot.height / 2.0);
        centered(yLabel, TEXT, plot.x - 62, plot.y + plot.height / 2 + 5);
        g.setTransform(saved);
    }

    private void line(double[] x, Series s) {
        Shape savedClip = g.getClip();
        g.clipRect(plot.x + 1, plot.y + 1, plot.width - 1, plot.height - 1);
        g.setColor(s.color);
        g.setStroke(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        // NaN epochs are skipped rather than breaking the line: validation run every few epochs still
        // reads as one curve.
        Path2D.Double path = new Path2D.Double();
        int points = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(s.y[i])) {
                if (points++ == 0) {
                    path.moveTo(px(x[i]), py(s.y[i]));
                } else {
                    path.lineTo(px(x[i]), py(s.y[i]));
                }
            }
        }
        g.draw(path);
        // A lone point draws no line, so it needs its marker whatever the epoch count.
        if (x.length <= MAX_MARKED_POINTS || points == 1) {
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(s.y[i])) {
                    g.fill(marker(px(x[i]), py(s.y[i])));
                }
            }
        }
        g.setClip(savedClip);
    }

    private static Shape marker(double cx, double cy) {
        return new Ellipse2D.Double(cx - 3.5, cy - 3.5, 7, 7);
    }

    private void centered(String text, Font font, int centerX, int baseline) {
        g.setFont(font);
        g.setColor(INK);
        g.drawString(text, centerX - g.getFontMetrics().stringWidth(text) / 2, baseline);
    }

    private int px(double x) {
        return plot.x + (int) Math.round((x - xMin) / (xMax - xMin) * plot.width);
    }

    private int py(double y) {
        return plot.y + plot.height - (int) Math.round((y - yMin) / (yMax - yMin) * plot.height);
    }
}
