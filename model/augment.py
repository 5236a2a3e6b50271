"""Training-time augmentation that mimics how people draw digits on a canvas.

After Rowscan's preprocessing a drawing is size-normalised and centred like MNIST, but
what remains differs from MNIST: slanted and rotated digits, slightly off size and
off centre (a centre of mass is not a bounding box), and strokes much thicker or
thinner than a pen's. Each batch gets one random affine warp per image (rotation,
shear, scale, shift: a single resampling, so the digit is not blurred several times)
and, for some images, a stroke made thicker (grey dilation) or thinner (erosion).

Stateless random ops with a seed per batch make a training run repeatable.
"""

from __future__ import annotations

import math

import tensorflow as tf

from model.recipes import Augmentation

CENTRE = 13.5  # pixel-centre of a 28x28 image


def augment_batch(images: tf.Tensor, seed: tf.Tensor, spec: Augmentation) -> tf.Tensor:
    """Augment float images [N, 28, 28] in [0, 1]; `seed` is an int32/int64 tensor of shape [2]."""
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=7)
    n = tf.shape(images)[0]

    def uniform(index: int, low: float, high: float) -> tf.Tensor:
        return tf.random.stateless_uniform([n], seeds[index], low, high)

    angle = uniform(0, -1.0, 1.0) * math.radians(spec.max_rotation_deg)
    shear = uniform(1, -spec.max_shear, spec.max_shear)
    scale = tf.exp(uniform(2, math.log(spec.min_scale), math.log(spec.max_scale)))
    shift_x = uniform(3, -spec.max_shift_px, spec.max_shift_px)
    shift_y = uniform(4, -spec.max_shift_px, spec.max_shift_px)

    warped = _affine(images[..., tf.newaxis], angle, shear, scale, shift_x, shift_y)
    warped = _change_thickness(warped, uniform(5, 0.0, 1.0), spec)
    return tf.clip_by_value(warped[..., 0], 0.0, 1.0)


def _affine(images, angle, shear, scale, shift_x, shift_y):
    """One resampling: out = C + M (in - C) + t, with M = scale * rotation * shear."""
    cos, sin = tf.cos(angle), tf.sin(angle)
    # M = s * [[cos, -sin], [sin, cos]] @ [[1, shear], [0, 1]]
    m00, m01 = scale * cos, scale * (cos * shear - sin)
    m10, m11 = scale * sin, scale * (sin * shear + cos)
    det = m00 * m11 - m01 * m10
    # The transform op wants the inverse map: in = C + M^-1 (out - C - t).
    i00, i01, i10, i11 = m11 / det, -m01 / det, -m10 / det, m00 / det
    ox, oy = CENTRE + shift_x, CENTRE + shift_y
    a2 = CENTRE - i00 * ox - i01 * oy
    b2 = CENTRE - i10 * ox - i11 * oy
    zeros = tf.zeros_like(angle)
    transforms = tf.stack([i00, i01, a2, i10, i11, b2, zeros, zeros], axis=1)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=tf.shape(images)[1:3],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )


def _change_thickness(images, draw, spec: Augmentation):
    """Grey dilation (thicker strokes) or erosion (thinner) with a 2x2 window, per image."""
    thicker = tf.nn.max_pool2d(images, ksize=2, strides=1, padding="SAME")
    thinner = -tf.nn.max_pool2d(-images, ksize=2, strides=1, padding="SAME")
    draw = draw[:, tf.newaxis, tf.newaxis, tf.newaxis]
    use_thicker = draw < spec.thicken_probability
    use_thinner = (draw >= spec.thicken_probability) & (draw < spec.thicken_probability + spec.thin_probability)
    return tf.where(use_thicker, thicker, tf.where(use_thinner, thinner, images))
