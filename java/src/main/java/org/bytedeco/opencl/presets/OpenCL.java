package org.bytedeco.opencl.presets;

import org.bytedeco.javacpp.annotation.Properties;

/**
 * Stand-in for the OpenCL presets class, which org.bytedeco:dnnl 3.13-1.5.14 inherits its build
 * properties from. That dnnl release depends on org.bytedeco:opencl 3.1-1.5.14, which Maven Central
 * does not serve, so the pom excludes it; without this class JavaCPP's loader fails with
 * TypeNotPresentException before oneDNN loads. oneDNN's CPU engine never calls OpenCL and
 * libjnidnnl.so does not link libOpenCL, so an empty property set is all the loader needs.
 *
 * <p>The older opencl 3.0-1.5.13 jars would also satisfy the loader, but they load a second JNI
 * library built for another JavaCPP version and print a version-mismatch warning on every start.
 * Delete this class once opencl 3.1-1.5.14 is published, and drop the exclusion in java/pom.xml.
 */
@Properties
public class OpenCL {
}
