/** Worked solutions of P1 and P4 as a student writes them, right and with the typical slips. */

export const P1_RIGHT_MD = String.raw`# P1, worked

Let $x_0 = 1.0$, $w_0 = 0.3$, $w_1 = -0.2$, $b_0 = 0.1$ and $b_1 = -0.3$.

## Forward pass

$$x_1 = \text{ReLU}(x_0 w_0 + b_0) = \text{ReLU}(1.0 \cdot 0.3 + 0.1) = \text{ReLU}(0.4) = 0.4$$

$$\begin{aligned}
y_1 &= x_1 w_1 + b_1 \\
    &= (0.4)(-0.2) + (-0.3) \\
    &= -0.38
\end{aligned}$$

$$z = \operatorname{ReLU}(y_1 + x_0) = \operatorname{ReLU}\left(-0.38 + 1.0\right) = 0.62$$

## Gradients

$$\frac{\partial z}{\partial w_1} = \text{ReLU}'(y_1 + x_0) \cdot x_1 = (1)(0.4) = 0.4$$

$$\frac{\partial z}{\partial w_0} = \text{ReLU}'(y_1 + x_0) \cdot w_1 \cdot \text{ReLU}'(x_0 w_0 + b_0) \cdot x_0 = (1)(-0.2)(1)(1) = -0.2$$

$$\frac{dz}{db_0} = \frac{d}{db_0}\left(\mathrm{ReLU}(y_1 + x_0)\right) = (1)(-0.2)(1) = -0.2$$

$$\frac{\partial z}{\partial b_1} = \text{ReLU}'(y_1 + x_0) = 1$$

\[
\frac{\partial z}{\partial x_0} = \text{ReLU}'(y_1 + x_0) \, w_1 \, \text{ReLU}'(x_0 w_0 + b_0) \, w_0 + \text{ReLU}'(y_1 + x_0) \cdot 1
= (1)(-0.2)(1)(0.3) + (1)(1) = -0.06 + 1 = 0.94
\]
`;

export const P1_RIGHT_TXT = `P1 in plain text
Given: x0 = 1.0, w0 = 0.3, w1 = -0.2, b0 = 0.1, b1 = -0.3

x1 = relu(x0*w0 + b0) = relu(1.0*0.3 + 0.1) = 0.4
y1 = x1*w1 + b1 = (0.4)(-0.2) + (-0.3) = -0.38
z = relu(y1 + x0) = relu(-0.38 + 1.0) = 0.62

dz/dw1 = relu'(y1 + x0) * x1 = (1)(0.4) = 0.4
dz/dw0 = relu'(y1 + x0) * w1 * relu'(x0*w0 + b0) * x0 = (1)(-0.2)(1)(1.0) = -0.2
dz/dx0 = relu'(y1 + x0) * w1 * relu'(x0*w0 + b0) * w0 + relu'(y1 + x0) = -0.06 + 1 = 0.94
`;

/**
 * The slips: line 12 an arithmetic slip, line 15 carried from it, line 19 w0's value put in for x1,
 * line 21 the sign of w1 dropped, line 23 the skip connection left out, line 27 unreadable.
 */
export const P1_SLIPS_MD = String.raw`# P1, with slips

Let $x_0 = 1.0$, $w_0 = 0.3$, $w_1 = -0.2$, $b_0 = 0.1$, $b_1 = -0.3$.

## Forward pass

$$x_1 = \text{ReLU}(x_0 w_0 + b_0) = \text{ReLU}(1.0 \cdot 0.3 + 0.1) = \text{ReLU}(0.4) = 0.4$$

$$\begin{aligned}
y_1 &= x_1 w_1 + b_1 \\
    &= (0.4)(-0.2) + (-0.3) \\
    &= -0.5
\end{aligned}$$

$$z = \text{ReLU}(y_1 + x_0) = \text{ReLU}(-0.5 + 1.0) = 0.5$$

## Gradients

$$\frac{\partial z}{\partial w_1} = \text{ReLU}'(y_1 + x_0) \cdot x_1 = (1)(0.3) = 0.3$$

$$\frac{\partial z}{\partial w_0} = \text{ReLU}'(y_1 + x_0) \cdot w_1 \cdot \text{ReLU}'(x_0 w_0 + b_0) \cdot x_0 = (1)(0.2)(1)(1) = 0.2$$

$$\frac{\partial z}{\partial x_0} = \text{ReLU}'(y_1 + x_0) \, w_1 \, \text{ReLU}'(x_0 w_0 + b_0) \, w_0 = (1)(-0.2)(1)(0.3) = -0.06$$

And the derivative by the bias:

$$\frac{d}{d} \text{ReLU}(y_1 + x_0)$$
`;

/** Plain text: line 3 drops the term b1 (−0.08), line 4 is carried from it. */
export const P1_SLIPS_TXT = `x0 = 1.0, w0 = 0.3, w1 = -0.2, b0 = 0.1, b1 = -0.3
x1 = relu(x0*w0 + b0) = 0.4
y1 = x1*w1 + b1 = (0.4)(-0.2) + (-0.3) = -0.08
z = relu(y1 + x0) = relu(-0.08 + 1.0) = 0.92
`;

/** A squared error: line 3 loses the factor 2. */
export const SQUARE_MD = String.raw`Let $y = 0.7$ and $t = 1$, and $L = (y - t)^2$.

$$\frac{dL}{dy} = (y - t) = -0.3$$
`;

/** Rounded numbers: σ(0.7) = 0.668187…, ∂z/∂w = σ'(0.7)·x = 0.332566… */
export const ROUNDED_MD = String.raw`Let $x = 1.5$, $w = 0.8$, $b = -0.5$ and $z = \sigma(w x + b)$.

$$z = \sigma(0.8 \cdot 1.5 - 0.5) = \sigma(0.7) = 0.668$$
$$z = 0.6682$$
$$z = 0.6681$$
$$\frac{\partial z}{\partial w} = \sigma'(w x + b) \cdot x = \sigma(0.7)\left(1 - \sigma(0.7)\right)(1.5) = (0.6682)(0.3318)(1.5) = 0.3326$$
`;

export const P4_RIGHT_MD = String.raw`# P4

Let $P(y=j) = \frac{\exp(h_j)}{\sum_k \exp(h_k)}$ and $L = -\sum_j y_j \log P(y=j)$, where $y$ is one-hot.

$$\begin{aligned}
\frac{\partial L}{\partial h_i} &= -\sum_j y_j \frac{\partial}{\partial h_i} \log P(y=j) \\
&= -\sum_j y_j \left(\delta_{ij} - P(y=i)\right) \\
&= -y_i + P(y=i) \sum_j y_j \\
&= P(y=i) - y_i
\end{aligned}$$
`;

/** Line 4 flips a sign, line 5 follows from it, line 6 has a free index j that the left side lacks. */
export const P4_SLIPS_MD = String.raw`With $p_j = \frac{e^{h_j}}{\sum_{k=1}^{C} e^{h_k}}$ and $L = -\sum_j y_j \ln p_j$ for a one-hot $y$:

$$\frac{\partial L}{\partial h_i} = -\sum_j y_j (\delta_{ij} - p_i)$$
$$= -y_i - p_i \sum_j y_j$$
$$= -y_i - p_i$$
$$= p_i - y_j$$
`;
