package org.convnet4j.backend.cpu;

/** Cache key of a compiled primitive: the pass, the op record (all shapes and settings) and a variant flag. */
record Key(String pass, Object op, boolean variant) {
}
