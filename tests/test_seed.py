"""The seed examples of SPEC.md, with their exact printed output."""

import webtensor as wt


def test_seed_tensors_and_printing(capsys):
    a = wt.tensor([1.0, 2.0, 3.0, 10.0, 20.0, 30.0], [2, 3])
    a.print()
    assert capsys.readouterr().out == "[[1 , 2 , 3 ],\n [10, 20, 30]]\n"
    b = wt.tensor([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    c = wt.tensor2d([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    assert b.shape == c.shape == (2, 3)
    assert b.numpy().tolist() == c.numpy().tolist() == a.numpy().tolist()
    z = wt.zeros([3, 5])
    assert z.shape == (3, 5) and not z.numpy().any()


def test_seed_variable_assign():
    biases = wt.variable(wt.zeros([5]))
    biases.assign(wt.tensor1d([0, 1, 0, 1, 0]))
    assert biases.numpy().tolist() == [0, 1, 0, 1, 0]
    assert biases.dtype == "float32"
    biases.dispose()


def test_seed_ops(capsys):
    d = wt.tensor2d([[1.0, 2.0], [3.0, 4.0]])
    assert d.square().numpy().tolist() == [[1, 4], [9, 16]]
    e = d
    f = wt.tensor2d([[5.0, 6.0], [7.0, 8.0]])
    assert e.add(f).numpy().tolist() == [[6, 8], [10, 12]]
    e.add(f).square().print()
    wt.square(wt.add(e, f)).print()
    assert capsys.readouterr().out == "[[36 , 64 ],\n [100, 144]]\n" * 2


def test_seed_predict_in_tidy(capsys):
    a2, b2, c2 = wt.scalar(2), wt.scalar(4), wt.scalar(8)

    def predict(x):  # y = 2x^2 + 4x + 8
        return wt.tidy(
            lambda: a2.mul(wt.scalar(x).square()).add(b2.mul(wt.scalar(x))).add(c2)
        )

    before = wt.memory().num_tensors
    y = predict(2)
    assert wt.memory().num_tensors == before + 1  # only the result survives the tidy
    y.print()
    assert capsys.readouterr().out == "24\n"


def test_seed_dispose_and_average(capsys):
    x = wt.tensor2d([[0.0, 2.0], [4.0, 6.0]])
    x_squared = x.square()
    x.dispose()
    x_squared.dispose()
    assert x.is_disposed and x_squared.is_disposed
    average = wt.tidy(
        lambda: wt.tensor1d([1.0, 2.0, 3.0, 4.0]).sub(wt.ones([4])).square().mean()
    )
    average.print()
    assert capsys.readouterr().out == "3.5\n"
