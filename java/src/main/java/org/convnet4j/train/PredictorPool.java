package org.convnet4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;
import org.convnet4j.nativelib.OpenMp;

/**
 * Inference for many concurrent callers: {@code workers} threads, each with a backend and a
 * {@link Predictor} of its own and its share of the cores ({@code threadsEach} OpenMP threads), serve
 * the requests of any number of callers from one queue. One {@link Predictor} (or one backend) runs one
 * op at a time with all its threads; small models spend much of that time starting and joining the
 * OpenMP team, so on a few cores several single-threaded workers serve more requests per second
 * (docs/BENCHMARKS.md, "Serving under concurrent load", has the measurements and how to size a pool).
 *
 * <p>Each worker copies the weights to its own backend when the pool is made, freezes them, and
 * builds every primitive on its own thread; the pool is a snapshot, like a Predictor. Results equal a
 * Predictor's bit for bit when each worker runs with the same number of threads as that Predictor;
 * with fewer threads, to float rounding (oneDNN may split sums differently).
 *
 * <pre>{@code
 * try (PredictorPool pool = new PredictorPool(model, weights, 1, 2, 1)) {  // 2 workers x 1 thread
 *     float[] probs = pool.predict(image, 1);                             // from any thread
 * }
 * }</pre>
 */
public final class PredictorPool implements AutoCloseable {
    private record Request(float[] images, int count, CompletableFuture<float[]> result) {
    }

    private static final Request STOP = new Request(null, 0, null);

    private final BlockingQueue<Request> queue;
    private final List<Thread> threads = new ArrayList<>();
    private final int batch;
    private volatile boolean closed;

    /**
     * Starts {@code workers} workers on backends named like {@code weights}' (a fresh CPU backend each,
     * typically), each limited to {@code threadsEach} OpenMP threads, frozen for batches of up to
     * {@code batch} images. Returns when every worker is ready; a worker that fails to start fails this.
     * The weights' values are copied: the caller keeps (and closes) {@code weights}.
     *
     * @param model the model
     * @param weights its parameters, read once here
     * @param batch the most images one {@link #predict} call takes, &gt; 0
     * @param workers the number of worker threads, each with its own backend, &gt; 0
     * @param threadsEach OpenMP threads per worker, &gt; 0
     * @throws IllegalArgumentException if a count is not positive or the weights are of another model
     * @throws IllegalStateException if a worker fails to start or this thread is interrupted meanwhile
     */
    public PredictorPool(Model model, Weights weights, int batch, int workers, int threadsEach) {
        if (workers <= 0 || threadsEach <= 0 || batch <= 0) {
            throw new IllegalArgumentException("PredictorPool: expected positive workers, threads and batch. Received "
                    + workers + ", " + threadsEach + ", " + batch);
        }
        if (weights.model() != model) {
            throw new IllegalArgumentException("PredictorPool: the weights belong to model " + weights.model().name()
                    + ", not " + model.name());
        }
        this.batch = batch;
        this.queue = new ArrayBlockingQueue<>(Math.max(64, 16 * workers));
        List<float[]> values = new ArrayList<>();
        for (ParamRef p : model.params()) {
            values.add(weights.read(p));
        }
        String backendName = weights.backend().name();
        CountDownLatch ready = new CountDownLatch(workers);
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(() -> serve(model, values, backendName, threadsEach, ready, failures),
                    "convnet4j-predictor-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        try {
            ready.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("PredictorPool: interrupted while its workers started", e);
        }
        synchronized (failures) {
            if (!failures.isEmpty()) {
                close();
                throw new IllegalStateException("PredictorPool: a worker failed to start: " + failures.get(0), failures.get(0));
            }
        }
    }

    private void serve(Model model, List<float[]> values, String backendName, int threadsEach, CountDownLatch ready,
                       List<Throwable> failures) {
        OpenMp.limitCallingThread(threadsEach);
        Backend backend = null;
        Predictor predictor = null;
        try {
            backend = Backends.create(backendName);
            try (Weights w = new Weights(model, backend)) {
                for (ParamRef p : model.params()) {
                    w.write(p, values.get(p.index()));
                }
                predictor = new Predictor(model, w, batch);
            }
            predictor.predict(new float[Math.toIntExact(model.input().batchShape(1).size())], 1); // primitives built here
        } catch (Throwable e) {
            synchronized (failures) {
                failures.add(e);
            }
            closeQuietly(predictor, backend);
            ready.countDown();
            return;
        }
        ready.countDown();
        try {
            while (true) {
                Request r = queue.take();
                if (r == STOP) {
                    break;
                }
                try {
                    r.result().complete(predictor.predict(r.images(), r.count()));
                } catch (Throwable e) {
                    r.result().completeExceptionally(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(predictor, backend);
        }
    }

    /**
     * Class probabilities of the main output for {@code count} images (as {@link Predictor#predict}),
     * computed by the next free worker; blocks until then. Safe from any number of threads.
     *
     * @param images {@code count} images, N x C x H x W FP32 in NCHW order
     * @param count the number of images, 1 to {@link #batch()}
     * @return count x classes probabilities, row by row
     * @throws IllegalStateException if the pool is closed or the calling thread is interrupted
     * @throws IllegalArgumentException if the images do not fit the model (the worker's exception,
     *         rethrown)
     */
    public float[] predict(float[] images, int count) {
        if (closed) {
            throw new IllegalStateException("PredictorPool is closed");
        }
        CompletableFuture<float[]> result = new CompletableFuture<>();
        try {
            queue.put(new Request(images, count, result));
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("PredictorPool.predict: interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /**
     * The number of worker threads.
     *
     * @return the workers started
     */
    public int workers() {
        return threads.size();
    }

    /**
     * The batch the workers were frozen for: the most images one call takes.
     *
     * @return the batch size
     */
    public int batch() {
        return batch;
    }

    /** Lets the queued requests finish, then stops the workers and frees their backends. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < threads.size(); i++) {
            try {
                queue.put(STOP);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void closeQuietly(Predictor p, Backend b) {
        try {
            if (p != null) {
                p.close();
            }
        } finally {
            if (b != null) {
                b.close();
            }
        }
    }
}
