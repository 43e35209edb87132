package org.convnet4j.backend.cuda;

import java.util.Map;

/**
 * The parameter kinds of every kernel in convnet4j_kernels.fatbin, one letter each: P a device
 * pointer, L a 64-bit integer, I a 32-bit int, F a float. {@code cuLaunchKernel} trusts its argument
 * block blindly, so every launch is checked against this table before it goes out (a wrong kind or
 * count is an error naming the kernel, not a corrupted run), and KernelSignaturesTest checks the
 * table against the {@code extern "C" __global__} declarations in native/cuda/*.cu.
 */
final class KernelSignatures {
    static final Map<String, String> KINDS = Map.ofEntries(
            Map.entry("c4j_fill_f32", "PLF"),
            Map.entry("c4j_add_f32", "PPPL"),
            Map.entry("c4j_accumulate_f32", "PPL"),
            Map.entry("c4j_relu_backward_f32", "PPPL"),
            Map.entry("c4j_bias_act_f32", "PPLILI"),
            Map.entry("c4j_bias_grad_f32", "PPIIL"),
            Map.entry("c4j_bn_stats_f32", "PIILFPPP"),
            Map.entry("c4j_bn_apply_f32", "PPPPPPFILLIP"),
            Map.entry("c4j_bn_backward_reduce_f32", "PPPPFIILPPP"),
            Map.entry("c4j_bn_backward_data_f32", "PPPPPPPFIILLP"),
            Map.entry("c4j_bn_from_cudnn_f32", "PFFIPPP"),
            Map.entry("c4j_bn_inv_std_f32", "PFIP"),
            Map.entry("c4j_moving_average_f32", "PPLF"),
            Map.entry("c4j_copy_channels_f32", "PLLPLLLI"),
            Map.entry("c4j_pad2d_f32", "PPIIIIIII"),
            Map.entry("c4j_crop2d_f32", "PPIIIIIII"),
            Map.entry("c4j_global_avg_pool_f32", "PPLL"),
            Map.entry("c4j_global_avg_pool_backward_f32", "PPLL"),
            Map.entry("c4j_pool2d_f32", "PPIIIIIIIIIIII"),
            Map.entry("c4j_pool2d_backward_f32", "PPPPIIIIIIIIIIII"),
            Map.entry("c4j_dropout_f32", "PPLFLL"),
            Map.entry("c4j_first_bad_label_i32", "PIIP"),
            Map.entry("c4j_softmax_xent_sparse_f32", "PPIIFPPP"),
            Map.entry("c4j_softmax_xent_onehot_f32", "PPIIFPPP"),
            Map.entry("c4j_xent_mean_f32", "PIFP"),
            Map.entry("c4j_adam_f32", "PPPPLFFFFF"),
            Map.entry("c4j_adam_multi_f32", "PPPPPIFFFFF"),
            Map.entry("c4j_sgd_momentum_f32", "PPPLFF"),
            Map.entry("c4j_sum_squares_multi_f32", "PPIP"),
            Map.entry("c4j_scale_multi_f32", "PPIF"),
            Map.entry("c4j_fill_bf16", "PLF"),
            Map.entry("c4j_fill_f16", "PLF"),
            Map.entry("c4j_add_bf16", "PPPL"),
            Map.entry("c4j_add_f16", "PPPL"),
            Map.entry("c4j_accumulate_bf16", "PPL"),
            Map.entry("c4j_accumulate_f16", "PPL"),
            Map.entry("c4j_relu_backward_bf16", "PPPL"),
            Map.entry("c4j_relu_backward_f16", "PPPL"),
            Map.entry("c4j_dropout_nhwc_bf16", "PPLILFLL"),
            Map.entry("c4j_pool2d_nhwc_bf16", "PPIIIIIIIIIIIII"),
            Map.entry("c4j_pool2d_nhwc_f16", "PPIIIIIIIIIIIII"),
            Map.entry("c4j_pool2d_backward_nhwc_bf16", "PPPPIIIIIIIIIIIII"),
            Map.entry("c4j_pool2d_backward_nhwc_f16", "PPPPIIIIIIIIIIIII"),
            Map.entry("c4j_global_avg_pool_nhwc_bf16", "PPLIL"),
            Map.entry("c4j_global_avg_pool_nhwc_f16", "PPLIL"),
            Map.entry("c4j_global_avg_pool_backward_nhwc_bf16", "PPLIL"),
            Map.entry("c4j_global_avg_pool_backward_nhwc_f16", "PPLIL"),
            Map.entry("c4j_dropout_nhwc_f16", "PPLILFLL"),
            Map.entry("c4j_copy_channels_bf16", "PLLPLLLI"),
            Map.entry("c4j_copy_channels_f16", "PLLPLLLI"),
            Map.entry("c4j_convert_f32_bf16", "PPLILI"),
            Map.entry("c4j_convert_bf16_f32", "PPLILI"),
            Map.entry("c4j_convert_f32_f16", "PPLILI"),
            Map.entry("c4j_convert_f16_f32", "PPLILI"),
            Map.entry("c4j_convert_f32_f32", "PPLILI"),
            Map.entry("c4j_convert_bf16_bf16", "PPLILI"),
            Map.entry("c4j_convert_f16_f16", "PPLILI"),
            Map.entry("c4j_bias_act_nhwc_bf16", "PPLII"),
            Map.entry("c4j_bias_act_nhwc_f16", "PPLII"),
            Map.entry("c4j_bias_grad_nhwc_bf16", "PPLI"),
            Map.entry("c4j_bias_grad_nhwc_f16", "PPLI"),
            Map.entry("c4j_pad2d_nhwc_bf16", "PPIIIIIIII"),
            Map.entry("c4j_pad2d_nhwc_f16", "PPIIIIIIII"),
            Map.entry("c4j_crop2d_nhwc_bf16", "PPIIIIIIII"),
            Map.entry("c4j_crop2d_nhwc_f16", "PPIIIIIIII"));

    private KernelSignatures() {
    }

    /** Throws unless {@code kinds} is exactly the declared parameter list of {@code kernel}. */
    static void check(String kernel, CharSequence kinds) {
        String expected = KINDS.get(kernel);
        if (expected == null) {
            throw new IllegalStateException("No kernel named " + kernel + " in convnet4j_kernels.fatbin's table");
        }
        if (!expected.contentEquals(kinds)) {
            throw new IllegalStateException("Launch of " + kernel + " with arguments " + kinds + " but it takes "
                    + expected + " (P pointer, L int64, I int, F float)");
        }
    }
}
