print("mlopsd-bench: not built yet")
