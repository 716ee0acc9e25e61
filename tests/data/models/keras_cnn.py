"""A small Keras CNN (functional API): conv, batch norm, relu, pooling, dense."""
import keras
import numpy as np


def make_model():
    inputs = keras.Input(shape=(16, 16, 3))
    x = keras.layers.Conv2D(8, 3, padding="same")(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(16, 3, strides=2)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(10)(x)
    return keras.Model(inputs, outputs)


def make_inputs():
    return (np.random.standard_normal((2, 16, 16, 3)).astype(np.float32),)
