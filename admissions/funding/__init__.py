"""The money: the rectors' allocation of the state grant's places and the cost settlement
between municipalities (interkommunal ersättning)."""
