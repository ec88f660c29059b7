module echolab/peers/go

go 1.19
