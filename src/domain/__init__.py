"""The pure model of CaseCraft: phones, geometry, designs, jobs and users."""
