include $(sort $(wildcard $(BR2_EXTERNAL_RPI_WDT_PATH)/package/*/*.mk))
