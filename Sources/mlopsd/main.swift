print("mlopsd")
