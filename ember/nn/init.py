"""nn.init"""
