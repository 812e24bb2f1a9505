"""MTN MoMo Open API: Collection, Disbursement, Remittance and sandbox provisioning."""
