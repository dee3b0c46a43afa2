"""The networks that tests/nn/test_nn.py and tests/nn/test_optim.py build in minigrad and in torch."""


def mlp(lib):
    """The 2-16-16-1 tanh MLP."""
    nn = lib.nn
    return nn.Sequential(
        nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1)
    )


def freezing_net(lib):
    """Syllabus 7.4: Linear(1, 10) -> relu -> Linear(10, 1), hidden layer freezable."""

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = lib.nn.Linear(1, 10)
            self.predict = lib.nn.Linear(10, 1)

        def forward(self, x):
            return self.predict(lib.relu(self.hidden(x)))

    return Net()
