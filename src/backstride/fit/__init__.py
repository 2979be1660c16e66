"""FIT codec: bytes in, arrays out (decode) and arrays in, bytes out (encode). No file I/O."""
