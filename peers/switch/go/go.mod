module echolab/switch

go 1.19
