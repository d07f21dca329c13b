print("mlopsctl")
