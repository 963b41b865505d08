"""Keys and AEAD, the encrypted TinyDB storage, the local replica and the profile."""
