"""Provider clients (MTN MoMo, M-Pesa) behind one small async interface."""
