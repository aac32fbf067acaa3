"""Appeals (överklagande) of the decisions a letter says can be appealed."""
