"""The shape of the problem, defined once for the model and the service: an MNIST digit is 28 rows of
28 pixels, and the answer is one of 10 digits. (No TensorFlow here: the service imports it.)"""

ROWS = 28  # time steps: the networks read one row of pixels per step
COLS = 28  # pixels in a row
DIGITS = 10  # classes, 0 to 9
