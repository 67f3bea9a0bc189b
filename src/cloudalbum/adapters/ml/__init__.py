"""What looks at photos and places them, the same in both shapes: the ONNX detector, the face analyzer and the
offline geocoder, with the files they read from PyPI packages."""
