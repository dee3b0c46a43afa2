"""``inference_mode`` against torch: what it records, the inference tensors it makes, and
the errors they raise outside the mode (each leaving the tensor unchanged)."""

from __future__ import annotations

from tests.oracle import capture_error, compare_programs, graph_signature


def test_nothing_is_recorded_and_results_are_inference_tensors():
    def prog(lib):
        x = lib.ones(2, requires_grad=True)
        with lib.inference_mode():
            inside = (lib.is_inference_mode_enabled(), lib.is_grad_enabled())
            y = x * 2
            made = lib.zeros(3)
            with lib.enable_grad():  # grad mode on, but inference mode still records nothing
                z = x * 3
                enabled = lib.is_grad_enabled()
        return {
            "inside": inside,
            "outside": (lib.is_inference_mode_enabled(), lib.is_grad_enabled()),
            "y": (repr(y), y.requires_grad, y.grad_fn is None, y.is_inference()),
            "factory": made.is_inference(),
            "enable_grad inside": (enabled, z.requires_grad, z.grad_fn is None, z.is_inference()),
            "x": x.is_inference(),
        }

    compare_programs(prog)


def test_views_clones_and_detach():
    def prog(lib):
        n = lib.ones(4)
        with lib.inference_mode():
            u = lib.ones(4)
            view_of_normal = n[1:]
            n.add_(1)  # in-place on a normal tensor is allowed inside the mode
            version = n._version
        return {
            "view of a normal tensor": view_of_normal.is_inference(),
            "view of an inference tensor": u[:2].is_inference(),
            "detach": u.detach().is_inference(),
            "clone": u.clone().is_inference(),
            "new result outside": (u * 2).is_inference(),
            "cat outside": lib.cat([u, n]).is_inference(),
            "n": n,
            "version": version,
        }

    compare_programs(prog)


def test_inference_tensors_outside_the_mode():
    def prog(lib):
        x = lib.ones(2, requires_grad=True)
        with lib.inference_mode():
            y = x * 2
        out = {
            "saved for backward": capture_error(lambda: y * x),
            "in-place": capture_error(lambda: y.add_(1)),
            "requires_grad_": capture_error(lambda: y.requires_grad_()),
            "requires_grad =": capture_error(lambda: setattr(y, "requires_grad", True)),
            "version": capture_error(lambda: y._version),
            "y unchanged": (y, y.requires_grad),
        }
        s = y + x  # add saves nothing: allowed, and backward works
        s.sum().backward()
        out["add"] = (graph_signature(s.grad_fn), x.grad)
        c = y.clone().requires_grad_()
        (c * c).sum().backward()
        out["clone is normal"] = c.grad
        return out

    compare_programs(prog)


def test_mode_false_and_the_decorator():
    def prog(lib):
        x = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            with lib.inference_mode(False):
                off = (lib.is_inference_mode_enabled(), lib.is_grad_enabled())
        with lib.inference_mode():
            with lib.inference_mode(False):
                nested = (lib.is_inference_mode_enabled(), lib.is_grad_enabled(), repr(x * 2))

        @lib.inference_mode()
        def predict(t):
            return t * 2, lib.is_inference_mode_enabled()

        y, flag = predict(x)
        return {
            "off": off,
            "nested": nested,
            "decorated": (flag, y.is_inference(), y.requires_grad),
            "after": lib.is_inference_mode_enabled(),
            "autograd.inference_mode": lib.autograd.inference_mode is lib.inference_mode,
        }

    compare_programs(prog)


def test_a_model_in_eval_and_inference_mode():
    def prog(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Linear(3, 1))
        model.eval()
        with lib.inference_mode():
            pred = model(lib.ones(4, 2))
        return {
            "training": model.training,
            "pred": (pred.shape == (4, 1), pred.requires_grad, pred.grad_fn, pred.is_inference()),
            "params": [p.is_inference() for p in model.parameters()],
        }

    compare_programs(prog)


def test_every_in_place_op_on_an_inference_tensor_outside_the_mode():
    # torch refuses after its kernel ran: the values change, then the error says why.
    ops = {
        "add_": lambda lib, y: y.add_(1),
        "iadd": lambda lib, y: y.__iadd__(1),
        "mul_": lambda lib, y: y.mul_(3),
        "zero_": lambda lib, y: y.zero_(),
        "fill_": lambda lib, y: y.fill_(4.0),
        "clamp_": lambda lib, y: y.clamp_(min=10),
        "copy_": lambda lib, y: y.copy_(lib.tensor([7.0, 7.0])),
        "setitem": lambda lib, y: y.__setitem__(0, 5.0),
    }

    def prog(lib):
        out = {}
        for name, op in ops.items():
            with lib.inference_mode():
                y = lib.ones(2) * 2
            out[name] = (capture_error(lambda op=op, y=y: op(lib, y)), y)
        return out

    compare_programs(prog)
